/**
 * ReceiveTimes (src/apps/h2-receive-times.ts): the arrival time of a byte range from the segments
 * TCP held out of order, against hand-worked cases.
 */
import { describe, expect, it } from 'vitest';
import { ReceiveTimes } from '../../src/apps/h2-receive-times.ts';

function fixture(): { times: ReceiveTimes; at: (t: number) => void; deliver: (n: number) => void } {
  let now = 0;
  let delivered = 0;
  const times = new ReceiveTimes(
    () => delivered,
    () => now,
  );
  return {
    times,
    at: (t) => {
      now = t;
    },
    deliver: (n) => {
      delivered += n;
    },
  };
}

describe('ReceiveTimes', () => {
  it('bytes nobody held arrived when they were delivered', () => {
    const { times } = fixture();
    expect(times.empty).toBe(true);
    expect(times.arrival(0, 100, 7)).toBe(7);
  });

  it('a range held out of order arrived when it was held; a range with a hole in it when the hole filled', () => {
    const { times, at, deliver } = fixture();
    deliver(1000); // in order so far: 0-999
    at(10);
    times.heldOutOfOrder(500, 1000); // bytes 1500-2499 arrive at 10, 500 bytes past the next expected
    at(20);
    times.heldOutOfOrder(1500, 500); // 2500-2999 at 20
    // At 50 the hole 1000-1499 fills and everything up to 3000 is delivered.
    expect(times.arrival(1500, 2500, 50)).toBe(10);
    expect(times.arrival(1600, 3000, 50)).toBe(20);
    expect(times.arrival(1000, 2000, 50)).toBe(50); // part of the hole: arrived with the retransmission
    times.forgetBefore(2500);
    expect(times.arrival(2500, 3000, 50)).toBe(20);
    times.forgetBefore(3000);
    expect(times.empty).toBe(true);
  });

  it('a duplicate copy does not make bytes later: the first arrival counts', () => {
    const { times, at } = fixture();
    at(5);
    times.heldOutOfOrder(100, 100);
    at(9);
    times.heldOutOfOrder(100, 200); // 100-299, overlapping the first copy
    expect(times.arrival(100, 200, 30)).toBe(5);
    expect(times.arrival(100, 300, 30)).toBe(9);
  });
});
