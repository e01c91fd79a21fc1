/**
 * The listener under random input: SYNs, final ACKs (right and wrong), RSTs, data and stray
 * segments from a small set of peers (so they hit live requests), timer runs and accept()
 * calls, for every queue policy. Nothing may throw, and after every step: the queues stay within
 * their capacities, one deadline covers exactly the live requests, state records pair up
 * (LISTEN→SYN_RCVD is closed by SYN_RCVD→CLOSED or a completed connection), and a RST is never
 * answered.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { MS, SEC } from '../../src/sim/time.ts';
import { ACK, FIN, PSH, RST, SYN, type Segment } from '../../src/wire/segment.ts';
import type { TcpParams } from '../../src/tcp/params.ts';
import { CLIENT, SERVER, SYN_OPTS, makeListener, seg } from './listener-harness.ts';

type Step =
  | { kind: 'seg'; peer: number; flags: number; seqOff: number; ackOff: number; len: number; ts: boolean; isn: number }
  | { kind: 'time'; dt: number }
  | { kind: 'accept' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('seg' as const),
      peer: fc.nat({ max: 5 }),
      flags: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            SYN,
            SYN,
            SYN,
            ACK,
            ACK,
            ACK,
            ACK | PSH,
            RST,
            RST | ACK,
            SYN | ACK,
            ACK | FIN,
            SYN | FIN,
          ),
        },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 63 }) },
      ),
      seqOff: fc.oneof(
        { weight: 3, arbitrary: fc.constant(1) },
        { weight: 1, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.integer({ min: -100000, max: 100000 }) },
      ),
      ackOff: fc.oneof(
        { weight: 3, arbitrary: fc.constant(1) },
        { weight: 1, arbitrary: fc.integer({ min: -5, max: 5 }) },
        { weight: 1, arbitrary: fc.nat() },
      ),
      len: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1460 })),
      ts: fc.boolean(),
      isn: fc.oneof({ weight: 9, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat({ max: 0xffffffff }) }),
    }),
  },
  // The handshake's final ACK, right on (seq = IRS + 1, ack = ISS + 1), maybe with data or a FIN.
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('seg' as const),
      peer: fc.nat({ max: 5 }),
      flags: fc.constantFrom(ACK, ACK | PSH, ACK | FIN),
      seqOff: fc.constant(1),
      ackOff: fc.constant(1),
      len: fc.oneof(fc.constant(0), fc.constant(100)),
      ts: fc.boolean(),
      isn: fc.constant(-1),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('time' as const),
      dt: fc.oneof(
        fc.integer({ min: 0, max: 3000 }).map((x) => x * MS),
        fc.integer({ min: 0, max: 70 }).map((x) => x * SEC),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'accept' as const }) },
);

const POLICIES: Record<string, { params: Partial<TcpParams>; backlog: number; profile?: 'linux' | 'rfc9293' }> = {
  'linux, no cookies': { params: { synCookies: false }, backlog: 4 },
  'linux, cookies when full': { params: { synCookies: true }, backlog: 2 },
  'linux, cookies always': { params: { synCookies: 'always' }, backlog: 4 },
  'linux, abortOnOverflow': { params: { synCookies: false, abortOnOverflow: true }, backlog: 2 },
  'recycle oldest': { params: { synCookies: false, recycleOldest: true }, backlog: 2 },
  'SYN cache': { params: { synCookies: false, synCache: true, synCacheBucketSize: 1 }, backlog: 4 },
  'short SYN-RECEIVED timer': { params: { synCookies: false, synRecvTimeout: 2 * SEC }, backlog: 4 },
  rfc9293: { params: {}, backlog: 4, profile: 'rfc9293' },
};

describe('the listener under random segments, timers and accept()', () => {
  for (const [name, policy] of Object.entries(POLICIES)) {
    test(name, () => {
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 60, size: 'max' }), (steps) => {
          const { out, host, listener } = makeListener(policy.params, policy.backlog, policy.profile ?? 'linux');
          const irs = new Map<number, number>(); // peer → the ISN of its last SYN
          const synAcks = new Map<number, Segment>(); // peer port → the last SYN-ACK it got
          let now = 0;
          let accepted = 0;
          for (const s of steps) {
            let input: Segment | null = null;
            if (s.kind === 'time') {
              now += s.dt;
              while (listener.deadline <= now) {
                expect(listener.deadline).toBeGreaterThanOrEqual(0);
                out.now = listener.deadline;
                listener.onTimer(listener.deadline);
              }
              out.now = now;
            } else if (s.kind === 'accept') {
              if (listener.accept() !== null) accepted++;
            } else {
              const port = 30000 + s.peer;
              const base = irs.get(s.peer) ?? 1000 * s.peer;
              const synAck = synAcks.get(port);
              const iss = synAck !== undefined ? synAck.seq : 5000;
              const opts =
                s.flags & SYN
                  ? SYN_OPTS
                  : s.ts
                    ? { timestamp: { val: 7, ecr: synAck?.options?.timestamp?.val ?? 0 } }
                    : null;
              input = seg(s.flags, (base + s.seqOff) >>> 0, (iss + s.ackOff) >>> 0, opts, port, s.len);
              if ((s.flags & (SYN | ACK)) === SYN) irs.set(s.peer, input.seq);
              listener.onSegment(input, CLIENT + s.peer, SERVER, now, s.isn >= 0 && (s.flags & SYN) !== 0 ? s.isn : -1);
              for (const x of out.sent) {
                const f = x.seg.flags;
                expect(f === (SYN | ACK) || f === ACK || f === RST || f === (RST | ACK), `flags ${f}`).toBe(true);
                if (input.flags & RST) expect(f & RST, 'a RST is never answered with a RST').toBe(0);
                expect(x.to).toBe(CLIENT + s.peer);
              }
            }
            for (const x of out.take()) if (x.seg.flags & SYN) synAcks.set(x.seg.dstPort, x.seg);
            const st = listener.stats;
            expect(listener.synQueueLen).toBeLessThanOrEqual(st.synQueueCapacity);
            expect(listener.acceptQueueLen).toBeLessThanOrEqual(st.acceptQueueCapacity);
            expect(listener.acceptQueueLen).toBe(host.children.length - accepted);
            expect(listener.deadline === Infinity).toBe(listener.synQueueLen === 0);
            expect(listener.deadline === Infinity || listener.deadline > now || listener.deadline === now).toBe(true);
            const opened = out.states.filter((x) => x.endsWith('LISTEN>SYN_RCVD')).length;
            const closed = out.states.filter((x) => x.endsWith('SYN_RCVD>CLOSED')).length;
            expect(opened - closed - host.children.length, 'every SYN_RCVD record is closed or completed').toBe(
              listener.synQueueLen,
            );
          }
        }),
        { numRuns: 200, seed: 11 },
      );
    });
  }
});
