/** Unit parsing and formatting: the strings topology and experiment files use. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MS,
  NS,
  SEC,
  US,
  formatDuration,
  parseBitRate,
  parseDuration,
  parseEventRate,
  parseSize,
  serializationTime,
  toSeconds,
} from '../../src/sim/time.ts';

describe('parseDuration', () => {
  it.each([
    ['20ms', 20 * MS],
    ['1.5s', 1.5 * SEC],
    ['250us', 250 * US],
    ['250µs', 250 * US],
    ['7ns', 7 * NS],
    ['2m', 120 * SEC],
    ['2min', 120 * SEC],
    ['1h', 3600 * SEC],
    ['0s', 0],
    ['.5s', 500 * MS],
    ['1e3ms', SEC],
    [' 10 ms ', 10 * MS],
    ['5', 5 * SEC],
    ['0.2ms', 200 * US],
    ['9007199.254740991s', 9007199254740991],
  ])('%j → %d ns', (text, ns) => {
    expect(parseDuration(text)).toBe(ns);
  });

  it('takes a bare number as seconds', () => {
    expect(parseDuration(0.25)).toBe(250 * MS);
    expect(parseDuration(0)).toBe(0);
  });

  it.each(['', 'ms', '-5ms', '5 parsecs', '1.2.3s', '20MS', '1e400s', 'abc', '5ms extra', '10Mbps'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );

  it.each([-1, Number.NaN, Infinity, 1e300])('refuses the number %d', (n) => {
    expect(parseDuration(n)).toBeNull();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [999, '999ns'],
    [1000, '1us'],
    [1500, '1.5us'],
    [1_500_000, '1.5ms'],
    [SEC, '1s'],
    [1_000_000_001, '1.000000001s'],
    [90 * SEC, '90s'],
    [-1500, '-1.5us'],
  ])('%d ns → %j', (ns, text) => {
    expect(formatDuration(ns)).toBe(text);
  });

  it('parseDuration reads back every non-negative integer exactly', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (ns) => parseDuration(formatDuration(ns)) === ns),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat({ max: 10 * SEC }), (ns) => parseDuration(formatDuration(ns)) === ns),
      { numRuns: 2000 },
    );
  });
});

describe('parseBitRate', () => {
  it.each([
    ['100Mbps', 100e6],
    ['1Gbps', 1e9],
    ['10 Gbps', 10e9],
    ['56kbps', 56e3],
    ['56Kbps', 56e3],
    ['1.1Kbps', 1100],
    ['9600bps', 9600],
    ['100mbps', 100e6],
    ['1Tbps', 1e12],
  ])('%j → %d bit/s', (text, bps) => {
    expect(parseBitRate(text)).toBe(bps);
  });

  it.each(['100', '100MBps', '100Bps', 'fast', '0Mbps', '0.4bps', '-1Mbps', '1e400bps', '10ms'])(
    'refuses %j',
    (text) => {
      expect(parseBitRate(text)).toBeNull();
    },
  );

  it('takes a positive number as bits per second, rounded to whole bits', () => {
    expect(parseBitRate(1e6)).toBe(1e6);
    expect(parseBitRate(2.6)).toBe(3);
    expect(parseBitRate(0)).toBeNull();
    expect(parseBitRate(Number.NaN)).toBeNull();
  });
});

describe('parseSize', () => {
  it.each([
    ['64KB', { bytes: 64_000 }],
    ['1500B', { bytes: 1500 }],
    ['1MB', { bytes: 1_000_000 }],
    ['64KiB', { bytes: 65_536 }],
    ['1.5KB', { bytes: 1500 }],
    ['100', { packets: 100 }],
    ['100p', { packets: 100 }],
    ['20 packets', { packets: 20 }],
    ['0', { packets: 0 }],
  ])('%j → %j', (text, size) => {
    expect(parseSize(text)).toEqual(size);
  });

  it.each(['1.5', '1.5p', 'KB', '-1KB', '10Mbps', '5 bananas', '1e400B'])('refuses %j', (text) => {
    expect(parseSize(text)).toBeNull();
  });

  it('takes a non-negative integer as a packet count', () => {
    expect(parseSize(1000)).toEqual({ packets: 1000 });
    expect(parseSize(1.5)).toBeNull();
    expect(parseSize(-2)).toBeNull();
  });
});

describe('parseEventRate', () => {
  it.each([
    ['1000/s', 1000],
    ['20/s', 20],
    ['5/ms', 5000],
    ['0/s', 0],
    ['60/min', 1],
    ['3600/h', 1],
    [' 2 / s ', 2],
  ])('%j → %d/s', (text, rate) => {
    expect(parseEventRate(text)).toBe(rate);
  });

  it.each(['1000', 'fast', '10/parsec', '-5/s', '1e400/s', '/s'])('refuses %j', (text) => {
    expect(parseEventRate(text)).toBeNull();
  });
});

describe('serializationTime and toSeconds', () => {
  it('is exact for common packets and rates', () => {
    expect(serializationTime(1500, 100e6)).toBe(120 * US); // 12,000 bits at 100 Mbit/s
    expect(serializationTime(40, 1e9)).toBe(320);
    expect(serializationTime(1500, parseBitRate('1.5Mbps')!)).toBe(8 * MS);
    expect(serializationTime(1500, parseBitRate('1.1Kbps')!)).toBe(Math.ceil((12_000 * SEC) / 1100));
  });

  it('rounds a fractional nanosecond up', () => {
    expect(serializationTime(1, 3e9)).toBe(3); // 2.67 ns
    expect(serializationTime(0, 1e6)).toBe(0);
  });

  it('toSeconds', () => {
    expect(toSeconds(1_500 * MS)).toBe(1.5);
  });
});
