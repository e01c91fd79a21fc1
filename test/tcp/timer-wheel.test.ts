/**
 * Linux's timer wheel (kernel/time/timer.c calc_wheel_index / calc_index) as src/tcp/timer-wheel.ts
 * models it: level from the delta, expiry rounded up to the level's granularity, strictly after
 * `expires`; timers in one bucket fire at one nanosecond; then what it does to a SYN's
 * retransmissions, a delayed ACK and TIME-WAIT (values worked out by hand from timer.c, HZ 250).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MS, SEC } from '../../src/sim/time.ts';
import { TcpState } from '../../src/tcp/api.ts';
import { tcpParams } from '../../src/tcp/params.ts';
import { bucketExpiry, expiryOrder, jiffiesOffset, tickNs, timerExpiry } from '../../src/tcp/timer-wheel.ts';
import { activeEstablished, synSent } from './harness.ts';
import { CLIENT, makeListener, runTimers, SERVER, syn } from './listener-harness.ts';

const wheel = tcpParams('linux', { jiffies: 'zero' });

describe('jiffies and the wheel (timer.c)', () => {
  test('TICK_NSEC for each HZ', () => {
    expect([100, 250, 300, 1000].map(tickNs)).toEqual([10_000_000, 4_000_000, 3_333_333, 1_000_000]);
  });

  test('level 0 (delta < 63): the next jiffy after expires', () => {
    expect(bucketExpiry(10, 0, 250)).toBe(11);
    expect(bucketExpiry(62, 0, 250)).toBe(63);
  });

  test('level n holds deltas below 63 << 3n and rounds up to a multiple of 8^n, strictly after expires', () => {
    expect(bucketExpiry(63, 0, 250)).toBe(64); // level 1, 8 jiffies
    expect(bucketExpiry(250, 0, 250)).toBe(256);
    expect(bucketExpiry(256, 0, 250)).toBe(264); // already on an edge: one whole slot later
    expect(bucketExpiry(503, 0, 250)).toBe(504);
    expect(bucketExpiry(504, 0, 250)).toBe(512); // level 2, 64 jiffies
    expect(bucketExpiry(4031, 0, 250)).toBe(4032);
    expect(bucketExpiry(4032, 0, 250)).toBe(4096); // level 3, 512 jiffies
    expect(bucketExpiry(15000, 0, 250)).toBe(15360); // TIME-WAIT's 60 s: 61.44 s from a slot edge
    expect(bucketExpiry(1000 + 15000, 1000, 250)).toBe(16384); // the level comes from the delta
  });

  test('past the last level the timeout is capped (WHEEL_TIMEOUT_MAX); HZ 100 has 8 levels', () => {
    const cutoff9 = 63 * 8 ** 8;
    expect(bucketExpiry(cutoff9 * 2, 0, 250)).toBe(cutoff9);
    const cutoff8 = 63 * 8 ** 7;
    expect(bucketExpiry(cutoff8 * 2, 0, 100)).toBe(cutoff8);
    expect(bucketExpiry(cutoff8 * 2, 0, 250)).toBe((Math.floor((cutoff8 * 2) / 8 ** 8) + 1) * 8 ** 8);
  });

  test('a timer already due goes to the current jiffy', () => {
    expect(bucketExpiry(5, 10, 250)).toBe(10);
  });

  test('timerExpiry: exact is now + delay; the wheel fires at the bucket edge, in ns', () => {
    expect(timerExpiry(tcpParams('linux', { timers: 'exact' }), 7, 1 * SEC)).toBe(1 * SEC + 7);
    expect(timerExpiry(wheel, 0, 1 * SEC)).toBe(1024 * MS);
    expect(timerExpiry(wheel, 3 * MS, 1 * SEC)).toBe(1024 * MS); // same jiffy, same bucket
    expect(timerExpiry(wheel, 0, 40 * MS)).toBe(44 * MS);
    expect(timerExpiry(wheel, 0, Infinity)).toBe(Infinity);
    expect(timerExpiry({ ...wheel, jiffiesOffset: 1_500_000 }, 0, 1 * SEC)).toBe(1024 * MS - 1_500_000);
  });

  test('batched expiry: timers armed 10 ms apart for 1 s share a slot and fire at one nanosecond', () => {
    expect(timerExpiry(wheel, 100 * MS, 1 * SEC)).toBe(1120 * MS);
    expect(timerExpiry(wheel, 110 * MS, 1 * SEC)).toBe(1120 * MS);
  });

  test('never early, and late by at most the level granularity plus a tick (any phase, any HZ)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 15 }),
        fc.integer({ min: 0, max: 10 ** 13 }),
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.constantFrom(100, 250, 300, 1000),
        (now, delay, offset, hz) => {
          const p = { ...wheel, hz, jiffiesOffset: offset };
          const at = timerExpiry(p, now, delay);
          const tick = tickNs(hz);
          const levelGran =
            8 ** Math.min(hz > 100 ? 8 : 7, Math.max(0, Math.ceil(Math.log(delay / tick / 63 + 1) / Math.log(8)))) *
            tick;
          expect(at).toBeGreaterThanOrEqual(now + delay);
          if (delay / tick < 63 * 8 ** (hz > 100 ? 8 : 7))
            expect(at - (now + delay)).toBeLessThanOrEqual(levelGran + 2 * tick);
        },
      ),
    );
  });

  test('jiffies phase: zero, one per run (shared), one per host; none for exact timers', () => {
    const draw = (scope: 'run' | 'host'): number => (scope === 'run' ? 0.5 : 0.25);
    expect(jiffiesOffset(wheel, draw)).toBe(0);
    expect(jiffiesOffset(tcpParams('linux'), draw)).toBe(0.5 * 2 ** 24 * 4_000_000);
    expect(jiffiesOffset(tcpParams('linux', { jiffies: 'perHost' }), draw)).toBe(0.25 * 2 ** 24 * 4_000_000);
    expect(jiffiesOffset(tcpParams('linux', { timers: 'exact' }), draw)).toBe(0);
  });
});

describe('TCP timers on the wheel (HZ 250, jiffies 0 at time 0)', () => {
  const on = { params: { timers: 'wheel', jiffies: 'zero' } } as const;

  test('an unanswered SYN: each 1 s wait ends on a 32 ms slot edge, 64 s on a 2.048 s one; ETIMEDOUT at 135.168 s, not 131', () => {
    const t = synSent(on);
    expect(t.runTimers(135_168 * MS - 1).map((s) => s.split(' ')[0])).toEqual([
      '1024',
      '2048',
      '3072',
      '4096',
      '5120',
      '7136',
      '11264',
      '19456',
      '35584',
      '69632',
    ]);
    expect(t.c.state).toBe(TcpState.SYN_SENT);
    t.runTimers(135_168 * MS);
    expect(t.rec.takeStates()).toEqual(['SYN_SENT>CLOSED']);
    expect(t.rec.takeEvents()).toEqual(['ERROR:ETIMEDOUT', 'FREED']);
  });

  test('TIME-WAIT entered at 1 s (jiffy 250) ends at 61.44 s: 15 000 jiffies on the 512-jiffy level', () => {
    const t = activeEstablished(on);
    t.at(1 * SEC);
    t.c.close(t.now);
    t.sent();
    t.in('F. 1:1(0) ack 2 win 257');
    expect(t.c.state).toBe(TcpState.TIME_WAIT);
    expect(t.c.deadline).toBe(61_440 * MS);
    t.runTimers(61_440 * MS - 1);
    expect(t.c.state).toBe(TcpState.TIME_WAIT);
    t.runTimers(61_440 * MS);
    expect(t.c.state).toBe(TcpState.CLOSED);
  });
});

describe('re-arming from the callback and the order within a tick (timer.c __run_timers, expire_timers)', () => {
  test('a timer re-armed from its own callback sees clk = jiffies + 1: 63 jiffies go on level 0, not level 1', () => {
    // jiffy 61 (244 ms): expires = 61 + 63 = 124. From packet processing clk = 61, delta 63: level 1,
    // bucket 128 (512 ms). From the timer's callback clk = 62, delta 62: level 0, bucket 125 (500 ms).
    expect(timerExpiry(wheel, 244 * MS, 252 * MS)).toBe(512 * MS);
    expect(timerExpiry(wheel, 244 * MS, 252 * MS, true)).toBe(500 * MS);
    // away from a level boundary the extra jiffy changes nothing (a SYN's 1 s, TIME-WAIT's 60 s)
    expect(timerExpiry(wheel, 1024 * MS, 1 * SEC, true)).toBe(timerExpiry(wheel, 1024 * MS, 1 * SEC));
    expect(timerExpiry(wheel, 8 * SEC, 60 * SEC, true)).toBe(timerExpiry(wheel, 8 * SEC, 60 * SEC));
  });

  test('expiryOrder: the highest level first, then newest first; exact timers first armed, first run', () => {
    const lvl1Old = expiryOrder(wheel, 0, 1 * SEC, false, 1);
    const lvl1New = expiryOrder(wheel, 0, 1 * SEC, false, 2);
    const lvl2 = expiryOrder(wheel, 0, 3 * SEC, false, 3);
    const lvl0 = expiryOrder(wheel, 0, 40 * MS, false, 4);
    expect([lvl1Old, lvl1New, lvl2, lvl0].sort((a, b) => a - b)).toEqual([lvl2, lvl1New, lvl1Old, lvl0]);
    const exact = tcpParams('linux', { timers: 'exact' });
    expect(expiryOrder(exact, 0, 1 * SEC, false, 1)).toBeLessThan(expiryOrder(exact, 0, 1 * SEC, false, 2));
  });

  test('two requests whose timers share a 32 ms slot: their SYN-ACKs are retransmitted in one burst, newest first', () => {
    const { out, listener } = makeListener({ timers: 'wheel', jiffies: 'zero' });
    out.now = 100 * MS;
    listener.onSegment(syn(40001), CLIENT, SERVER, out.now);
    out.now = 110 * MS;
    listener.onSegment(syn(40002), CLIENT, SERVER, out.now);
    out.take();
    runTimers(listener, out, 1200 * MS);
    expect(out.take().map((s) => `${s.t / MS} ${s.seg.dstPort}`)).toEqual(['1120 40002', '1120 40001']);
    // Re-armed from the callback (2 s): level 1 again, and again newest first at the next shared edge
    runTimers(listener, out, 3200 * MS);
    expect(out.take().map((s) => `${s.t / MS} ${s.seg.dstPort}`)).toEqual(['3136 40001', '3136 40002']);
  });
});
