/**
 * The rows of timeseries.csv and samples.csv are built without csvLine's per-row array (and with
 * each name's CSV text worked out once): they must be exactly the lines csvLine gives.
 */
import { describe, expect, it } from 'vitest';
import { csvLine } from '../../src/experiment/csv.ts';
import { samplesRows, timeseriesRows } from '../../src/experiment/results-files.ts';
import type { TimeseriesColumns } from '../../src/experiment/run-output.ts';

const NAMES = ['client', 'server', 'a,b', 'say "hi"', 'line\nbreak', '', 'cwnd'];
const NUMBERS = [0, -0, 1, 0.1 + 0.2, 2 / 3, 1e-7, 1e21, NaN, Infinity, -Infinity, 2 ** 53 + 2, -12.5];

describe('results rows', () => {
  it('equal csvLine row by row, names needing quotes and numbers without a CSV form included', () => {
    const ts: TimeseriesColumns = { t_s: [], node: [], metric: [], value: [] };
    for (let i = 0; i < 5000; i++) {
      ts.t_s.push(NUMBERS[i % NUMBERS.length]! * (1 + (i % 7)) + i / 1000);
      ts.node.push(NAMES[i % NAMES.length]!);
      ts.metric.push(NAMES[(i * 3 + 1) % NAMES.length]!);
      ts.value.push(NUMBERS[(i * 5) % NUMBERS.length]!);
    }
    let want = '';
    for (let i = 0; i < ts.t_s.length; i++)
      want += csvLine(['p3-s2', ts.t_s[i], ts.node[i], ts.metric[i], ts.value[i]]);
    const pieces = [...timeseriesRows('p3-s2', ts)];
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(want);

    const samples = ts.value.map((value, i) => ({ metric: ts.metric[i]!, value }));
    expect(samplesRows('p3-s2', samples)).toBe(samples.map((s) => csvLine(['p3-s2', s.metric, s.value])).join(''));
    expect(samplesRows('p0-s1', [])).toBe('');
  });
});
