import { describe, expect, it } from 'vitest';
import { RtxQueue } from '../../src/tcp/rtx-queue.ts';

describe('RtxQueue', () => {
  it('gives the oldest newly acknowledged send time, across sequence wrap and ring growth', () => {
    const q = new RtxQueue();
    expect(q.headSentAt()).toBe(-1);
    const base = 0xfffff000; // wraps past 2^32 below
    for (let i = 1; i <= 20; i++) q.push((base + i * 1000) >>> 0, i * 1_000_000_000);
    expect(q.size).toBe(20);
    expect(q.headSentAt()).toBe(1_000_000_000);
    expect(q.ackUpTo((base + 500) >>> 0)).toBe(-1); // covers no whole segment
    expect(q.ackUpTo((base + 5500) >>> 0)).toBe(1_000_000_000); // segments 1..5 (wrapped ends)
    expect(q.size).toBe(15);
    expect(q.headSentAt()).toBe(6_000_000_000);
    q.push((base + 21000) >>> 0, 21_000_000_000);
    expect(q.ackUpTo((base + 21000) >>> 0)).toBe(6_000_000_000);
    expect(q.size).toBe(0);
  });

  it('clear forgets everything and the queue works again afterwards', () => {
    const q = new RtxQueue();
    q.push(100, 5);
    q.clear();
    expect([q.size, q.headSentAt(), q.ackUpTo(100)]).toEqual([0, -1, -1]);
    q.push(200, 7);
    expect(q.ackUpTo(200)).toBe(7);
  });
});
