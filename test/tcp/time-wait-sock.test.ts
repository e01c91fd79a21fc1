/**
 * The compact TIME-WAIT record (src/tcp/time-wait-sock.ts, as Linux's inet_timewait_sock) answers
 * exactly as the full connection it replaces: every scenario runs twice from the same TIME-WAIT
 * fixture, once on the Connection and once on TimeWaitSock.from(it), and the segments (with
 * windows and options), state records, notifications, verdicts, deadlines and reopen ISNs must be
 * identical. The expected traces are spelled out too, so both cannot drift together.
 */
import { describe, expect, test } from 'vitest';
import { STATE_NAMES, TcpState } from '../../src/tcp/api.ts';
import type { Segment } from '../../src/wire/segment.ts';
import { TimeWaitSock } from '../../src/tcp/time-wait-sock.ts';
import { nextIncarnationIss } from '../../src/tcp/host-tcp.ts';
import { MS, SEC, type Nanos } from '../../src/sim/time.ts';
import {
  activeEstablished,
  fmtMs,
  full,
  OUR_ISS,
  passiveEstablished,
  type OpenOptions,
  type Trace,
} from './harness.ts';

/** The entity under test: the full connection or its compact record. */
interface Entity {
  readonly deadline: Nanos;
  readonly state: TcpState;
  readonly sndMax: number;
  onSegment(seg: Segment, now: Nanos): number;
  onTimer(now: Nanos): void;
}

/** A step: a peer segment at a time, or timers run up to a time. */
type Step = { at: Nanos; in: string } | { timersTo: Nanos };

/** An active closer in TIME-WAIT at t = 1 s (our FIN 1:1, theirs acknowledged). */
function activeTimeWait(o: OpenOptions = {}): Trace {
  const t = activeEstablished(o);
  t.at(1 * SEC);
  t.c.send(500, t.now);
  t.c.close(t.now);
  t.sent();
  t.in('. 1:1(0) ack 502 win 257');
  t.in('F. 1:1(0) ack 502 win 257');
  t.sent();
  t.rec.takeStates();
  t.rec.takeEvents();
  return t;
}

/** A passive side that closed first after the peer's data (window scaling, SACK): TIME-WAIT at 1 s. */
function passiveTimeWait(o: Parameters<typeof passiveEstablished>[0] = {}): Trace {
  const t = passiveEstablished(o);
  t.at(500 * MS);
  t.in('P. 1:1001(1000) ack 1 win 257');
  t.c.recv(1000, t.now);
  t.at(1 * SEC);
  t.c.close(t.now);
  t.sent();
  t.in('F. 1001:1001(0) ack 2 win 257');
  t.sent();
  t.rec.takeStates();
  t.rec.takeEvents();
  return t;
}

function run(t: Trace, compact: boolean, steps: readonly Step[]): string[] {
  let e: Entity = t.c;
  if (compact) {
    const tw = TimeWaitSock.from(t.c);
    if (tw === null) throw new Error('not compactable');
    e = tw;
  }
  const log: string[] = [];
  const record = (): void => {
    for (const s of t.rec.take()) log.push(`${fmtMs(s.t)} out ${full(s.seg, t.ourIss, t.peerIss)}`);
    for (const s of t.rec.takeStates()) log.push(`state ${s}`);
    for (const ev of t.rec.takeEvents()) log.push(`event ${ev}`);
  };
  for (const step of steps) {
    if ('in' in step) {
      t.at(step.at);
      const verdict = e.onSegment(t.peer(step.in), step.at);
      record();
      log.push(
        `verdict ${verdict} deadline ${fmtMs(e.deadline)}${verdict === 1 ? ` isn ${nextIncarnationIss(e.sndMax)}` : ''}`,
      );
    } else {
      for (let guard = 0; guard < 100 && e.deadline <= step.timersTo; guard++) {
        t.at(e.deadline);
        e.onTimer(e.deadline);
        record();
      }
      log.push(`timers to ${fmtMs(step.timersTo)}: ${STATE_NAMES[e.state]}`);
    }
  }
  return log;
}

function both(fixture: () => Trace, steps: readonly Step[]): string[] {
  const fullLog = run(fixture(), false, steps);
  expect(run(fixture(), true, steps)).toEqual(fullLog);
  return fullLog;
}

describe('TimeWaitSock answers as the full connection', () => {
  test('the 60 s timer: CLOSED and FREED, no segment', () => {
    expect(both(activeTimeWait, [{ timersTo: 61 * SEC - 1 }, { timersTo: 62 * SEC }])).toEqual([
      'timers to 61000: TIME_WAIT', // 1 ns before the expiry
      'state TIME_WAIT>CLOSED',
      'event FREED',
      'timers to 62000: CLOSED',
    ]);
  });

  test('a retransmitted FIN: re-ACKed with the same window, the timer restarts each time', () => {
    const log = both(activeTimeWait, [
      { at: 2 * SEC, in: 'F. 1:1(0) ack 502 win 257' },
      { at: 2 * SEC + 100 * MS, in: 'F. 1:1(0) ack 502 win 257' }, // a FIN takes sequence space: never rate-limited
      { at: 3 * SEC, in: 'F. 1:1(0) ack 502 win 257' },
      { timersTo: 62 * SEC },
      { timersTo: 63 * SEC },
    ]);
    expect(log.filter((l) => l.includes(' out '))).toHaveLength(3);
    expect(log).toContain('verdict 0 deadline 63000');
    expect(log.at(-1)).toBe('timers to 63000: CLOSED');
  });

  test('RST: an exact one kills it (tcp_rfc1337 = 0), an inexact one is ignored', () => {
    expect(
      both(activeTimeWait, [
        { at: 2 * SEC, in: 'R 5:5(0) win 0' },
        { at: 3 * SEC, in: 'R 2:2(0) win 0' },
      ]),
    ).toEqual(['verdict 0 deadline 61000', 'state TIME_WAIT>CLOSED', 'event FREED', 'verdict 0 deadline Infinity']);
  });

  test('RST with tcp_rfc1337 = 1: neither kills nor restarts', () => {
    expect(both(() => activeTimeWait({ params: { rfc1337: true } }), [{ at: 30 * SEC, in: 'R 2:2(0) win 0' }])).toEqual(
      ['verdict 0 deadline 61000'],
    );
  });

  test('a new SYN above RCV.NXT reopens it with ISN = SND.NXT + 65537; an old one is ACKed', () => {
    const log = both(activeTimeWait, [
      { at: 2 * SEC, in: 'S 0:0(0) win 65535 <mss 1460>' },
      { at: 3 * SEC, in: 'S 100000:100000(0) win 65535 <mss 1460>' },
    ]);
    expect(log[0]).toMatch(/^2000 out \. 502:502\(0\) ack 2 win \d+/);
    expect(log.slice(1)).toEqual([
      'verdict 0 deadline 61000',
      'state TIME_WAIT>CLOSED',
      'event FREED',
      `verdict 1 deadline Infinity isn ${(OUR_ISS + 502 + 65537) >>> 0}`, // SND.NXT (ISS + SYN + 500 B + FIN) + 65537
    ]);
  });

  test('timestamps: a bare ACK at RCV.NXT restarts silently; PAWS rejects an old TSval with an ACK; a newer SYN reopens', () => {
    const fixture = (): Trace => activeTimeWait({ peerOptions: 'mss 1460,TS val 500 ecr 0' });
    const log = both(fixture, [
      { at: 2 * SEC, in: '. 2:2(0) ack 502 win 257 <TS val 600 ecr 0>' },
      { at: 3 * SEC, in: '. 2:2(0) ack 502 win 257 <TS val 100 ecr 0>' },
      { at: 4 * SEC, in: 'S 0:0(0) win 65535 <mss 1460,TS val 400 ecr 0>' },
      { at: 5 * SEC, in: 'S 0:0(0) win 65535 <mss 1460,TS val 90000 ecr 0>' },
    ]);
    expect(log[0]).toBe('verdict 0 deadline 62000');
    expect(log[1]).toMatch(/^3000 out \. 502:502\(0\) ack 2 win \d+ <.*TS val \d+ ecr 600/);
    expect(log.at(-1)).toMatch(/^verdict 1 deadline Infinity isn \d+$/);
  });

  test('the passive closer with window scaling and data received: old data is ACKed every time, bare ACKs at most every 500 ms', () => {
    const log = both(
      () => passiveTimeWait({ peerWscale: 7 }),
      [
        { at: 2 * SEC, in: 'P. 1:1001(1000) ack 2 win 257' },
        { at: 2 * SEC + 1 * MS, in: 'P. 1:1001(1000) ack 2 win 257' },
        { at: 3 * SEC, in: '. 5000:5000(0) ack 2 win 257' },
        { at: 3 * SEC + 1 * MS, in: '. 5000:5000(0) ack 2 win 257' }, // rate-limited (tcp_oow_rate_limited)
        { at: 3 * SEC + 600 * MS, in: '. 5000:5000(0) ack 2 win 257' },
        { timersTo: 70 * SEC },
      ],
    );
    expect(log.filter((l) => l.includes(' out ')).map((l) => l.split(' ')[0])).toEqual([
      '2000',
      '2001',
      '3000',
      '3600',
    ]);
    expect(log.at(-1)).toBe('timers to 70000: CLOSED');
  });
});

describe('what stays a full connection', () => {
  test('a socket the user has not closed, or one with ECN', () => {
    const t = passiveEstablished();
    t.at(1 * SEC);
    t.c.shutdown('wr', t.now);
    t.in('F. 1:1(0) ack 2 win 257');
    expect(t.c.state).toBe(TcpState.TIME_WAIT);
    expect(TimeWaitSock.from(t.c)).toBeNull(); // not orphaned: recv(), getsockopt still reach it
    t.c.close(t.now);
    expect(TimeWaitSock.from(t.c)).not.toBeNull();
    const e = activeTimeWait();
    e.c.ecnOk = true;
    expect(TimeWaitSock.from(e.c)).toBeNull();
  });
});
