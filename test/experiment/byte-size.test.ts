/** --trace-limit sizes: decimal and binary units, "0"/"none" for no limit, anything else refused. */
import { expect, it } from 'vitest';
import { DEFAULT_TRACE_LIMIT, parseByteSize } from '../../src/experiment/byte-size.ts';

it('reads sizes in decimal and binary units, and 0 / none / off as no limit', () => {
  expect(parseByteSize('500MB')).toBe(500e6);
  expect(parseByteSize('2GiB')).toBe(2 * 1024 ** 3);
  expect(parseByteSize('20kB')).toBe(20_000);
  expect(parseByteSize('1.5 GB')).toBe(1.5e9);
  expect(parseByteSize('4096')).toBe(4096);
  for (const none of ['0', 'none', 'off']) expect(parseByteSize(none)).toBe(0);
});

it('refuses what is not a size', () => {
  for (const bad of ['lots', '-1MB', '5 parsecs', '', '1e3', '99999999999TB'])
    expect(parseByteSize(bad), bad).toBeUndefined();
});

it('the default budget is the 1GB the README and --help state', () => {
  expect(DEFAULT_TRACE_LIMIT).toBe(parseByteSize('1GB'));
});
