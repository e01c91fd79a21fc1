/**
 * Reading a results folder and naming what is read: CSV quoting, time series summed over nodes
 * while reading, trace records kept only for the runs figures draw, axis labels and units from
 * metric names, sweep values as numbers with units, confidence intervals.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarize } from '../../src/metrics/statistics.ts';
import { axisLabel, inSentence, metricLabel, paramLabel } from '../../src/report/labels.ts';
import { formatValue } from '../../src/report/page-tables.ts';
import { ALL_NODES, readSamples, readTimeseries, readTrace, splitCsvLine } from '../../src/report/read-results.ts';
import { folderSource } from '../../src/report/folder-source.ts';
import { memorySource } from '../../src/report/results-source.ts';
import { sweepData } from '../../src/report/sweep-data.ts';
import { classifyAxis, parseQuantity } from '../../src/report/sweep-values.ts';

const made: string[] = [];
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tcplab-report-in-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

describe('results files', () => {
  it('splits CSV lines with quoted fields', () => {
    expect(splitCsvLine('p0-s1,"a,b","say ""hi""",,3')).toEqual(['p0-s1', 'a,b', 'say "hi"', '', '3']);
    expect(splitCsvLine('x,')).toEqual(['x', '']);
  });

  it('sums a time series over nodes while reading, and keeps named nodes apart', async () => {
    const dir = await folder({
      'timeseries.csv':
        'run,t_s,node,metric,value\n' +
        'p0-s1,0,client1,time_wait,1\np0-s1,0,client2,time_wait,2\np0-s1,0.1,client1,time_wait,3\np0-s1,0.1,client2,time_wait,4\n' +
        'p0-s1,0,server,syn_queue,9\n',
    });
    const all = await readTimeseries(folderSource(dir), null);
    expect(all!.metrics).toEqual(['time_wait', 'syn_queue']);
    expect(all!.summed.map((r) => [r.metric, r.t_s, r.node, r.value])).toEqual([
      ['time_wait', 0, ALL_NODES, 3],
      ['time_wait', 0.1, ALL_NODES, 7],
      ['syn_queue', 0, ALL_NODES, 9],
    ]);
    const some = await readTimeseries(folderSource(dir), new Map([['time_wait', new Set([ALL_NODES, 'client2'])]]));
    expect(some!.summed.map((r) => r.value)).toEqual([3, 7]);
    expect(some!.byNode.map((r) => [r.node, r.value])).toEqual([
      ['client2', 2],
      ['client2', 4],
    ]);
    expect(await readTimeseries(folderSource(await folder({})), null)).toBeNull();
  });

  it('reads samples of the wanted metrics only', async () => {
    const dir = await folder({ 'samples.csv': 'run,metric,value\np0-s1,handshake_ms,22.1\np0-s1,request_ms,44.5\n' });
    expect(await readSamples(folderSource(dir), new Set(['handshake_ms']))).toEqual([
      { run: 'p0-s1', metric: 'handshake_ms', value: 22.1 },
    ]);
  });

  it('skips unwanted rows before splitting them, as reading them all and filtering would', async () => {
    // Quoted cells (a metric with a comma), short rows, CRLF ends and a moved metric column.
    const samples =
      'value,run,metric\r\n1,p0-s1,a\r\n2,p0-s1,"b,c"\r\n3,p0-s1\r\n4,"p0,s1",a\r\n5,p0-s1,\r\n6\r\n7,p1-s1,"a"\r\n';
    const ts =
      'run,t_s,node,metric,value\np0-s1,0,n1,a,1\np0-s1,0,"n,2",a,2\np0-s1,0,n1,"b,c",3\np0-s1,0,n1\np0-s1,0.1,n1,d,4\n';
    const dir = await folder({ 'samples.csv': samples, 'timeseries.csv': ts });
    const mem = memorySource(
      new Map([
        ['samples.csv', samples],
        ['timeseries.csv', ts],
      ]),
    );
    for (const src of [folderSource(dir), mem]) {
      const all = (await readSamples(src, null))!;
      for (const want of [['a'], ['b,c'], [''], ['a', ''], ['zz']]) {
        const set = new Set(want);
        expect(await readSamples(src, set), want.join('|')).toEqual(all.filter((r) => set.has(r.metric)));
      }
      const every = (await readTimeseries(src, null))!;
      expect(every.metrics).toEqual(['a', 'b,c', '', 'd']);
      const some = (await readTimeseries(src, new Map([['a', new Set([ALL_NODES, 'n,2'])]])))!;
      expect(some.metrics).toEqual(every.metrics);
      expect(some.summed).toEqual(every.summed.filter((r) => r.metric === 'a'));
      expect(some.byNode.map((r) => [r.node, r.value])).toEqual([['n,2', 2]]);
    }
  });

  it('keeps trace records of the wanted runs (and of the first run when asked), counting bad lines', async () => {
    const lines = [
      { run: 'p0-s1', t: 0, node: 'a', ev: 'state', conn: '1.1.1.1:1>2.2.2.2:2', from: 'CLOSED', to: 'SYN_SENT' },
      { run: 'p1-s1', t: 0, node: 'a', ev: 'state', conn: '1.1.1.1:1>2.2.2.2:2', from: 'CLOSED', to: 'SYN_SENT' },
      { run: 'p2-s1', t: 0, node: 'a', ev: 'state', conn: '1.1.1.1:1>2.2.2.2:2', from: 'CLOSED', to: 'SYN_SENT' },
    ].map((r) => JSON.stringify(r));
    const dir = await folder({ 'trace.jsonl': [...lines, '{"t":"soon"}', 'garbage'].join('\n') + '\n' });
    const some = await readTrace(folderSource(dir), new Set(['p2-s1']), false);
    expect([...some!.byRun.keys()]).toEqual(['p2-s1']);
    expect(some!.firstRun).toBe('p0-s1');
    expect(some!.badLines).toBe(2);
    const first = await readTrace(folderSource(dir), new Set(), true);
    expect([...first!.byRun.keys()]).toEqual(['p0-s1']);
  });
});

describe('labels and units from metric names', () => {
  it('derives names and units', () => {
    expect(axisLabel('handshake_ms.p50')).toBe('Handshake time, median (ms)');
    expect(axisLabel('handshake_ms.count')).toBe('Handshake time, count');
    expect(axisLabel('connections.success_ratio')).toBe('Connection success ratio (0–1)');
    expect(metricLabel('connections.success_ratio').ratio).toBe(true);
    expect(axisLabel('syn_queue')).toBe('SYN queue (entries)');
    expect(axisLabel('time_wait')).toBe('TIME-WAIT sockets (sockets)');
    expect(axisLabel('sim.wall_s')).toBe('Simulation, wall-clock time (s)');
    expect(axisLabel('queue_delay_us')).toBe('Queue delay (µs)');
    expect(paramLabel('apps.flood.rate')).toBe('SYN flood rate');
    expect(paramLabel('apps.other.rate')).toBe('Other rate');
    expect(paramLabel('http')).toBe('HTTP version');
    expect(paramLabel('tcp.synCookies')).toBe('SYN cookies');
    expect(inSentence('SYN cookies')).toBe('SYN cookies');
    expect(inSentence('Flood rate')).toBe('flood rate');
  });
});

describe('sweep values', () => {
  it('reads quantities with units and converts mixed units of one family', () => {
    expect(parseQuantity('1000/s')).toEqual({ value: 1000, unit: '/s' });
    expect(parseQuantity('2.5ms')).toEqual({ value: 2.5, unit: 'ms' });
    expect(parseQuantity('fast')).toBeNull();
    expect(parseQuantity(true)).toBeNull();
    expect(classifyAxis(['0/s', '100/s', '1000/s'])).toEqual({ kind: 'numeric', values: [0, 100, 1000], unit: '/s' });
    expect(classifyAxis(['500us', '1ms', '20ms'])).toEqual({ kind: 'numeric', values: [0.5, 1, 20], unit: 'ms' });
    expect(classifyAxis([false, true])).toEqual({ kind: 'categorical', labels: ['false', 'true'] });
    expect(classifyAxis(['10ms', '1Mbps'])).toEqual({ kind: 'categorical', labels: ['10ms', '1Mbps'] });
  });
});

describe('statistics and number formats', () => {
  it('computes a point missing from the aggregate rows as summary.json does: Student-t 95 % half-width', () => {
    const sweepOf = (values: number[]) =>
      sweepData({
        x: 'rate',
        y: 'm',
        aggregate: [],
        runs: values.map((v, i) => ({ id: `p0-s${i + 1}`, point: { rate: '1/s' }, seed: i + 1, metrics: { m: v } })),
        sweepPaths: ['rate'],
        sweepValues: { rate: ['1/s'] },
      })!.series[0]!.cells[0]!;
    const three = sweepOf([1, 2, 3]);
    expect(three.mean).toBe(2);
    expect(three.ci95).toBeCloseTo((4.3027 * 1) / Math.sqrt(3), 4);
    expect(sweepOf([5]).ci95).toBe(0);
    // 32 seeds: t(0.975, 31) = 2.0395, not a table's coarser step; and exactly the aggregate's value.
    const many = Array.from({ length: 32 }, (_, i) => i % 2);
    const sd = Math.sqrt((16 * 0.25 * 2) / 31);
    expect(sweepOf(many).ci95).toBeCloseTo((2.0395 * sd) / Math.sqrt(32), 4);
    expect(sweepOf(many).ci95).toBe(summarize(many)!.ci95);
  });

  it('formats table values to their precision', () => {
    expect(formatValue(12345)).toBe('12,345');
    expect(formatValue(1702.51)).toBe('1,703');
    expect(formatValue(842.8036)).toBe('842.8');
    expect(formatValue(27.5452)).toBe('27.55');
    expect(formatValue(0.669333)).toBe('0.669');
    expect(formatValue(0)).toBe('0');
  });
});
