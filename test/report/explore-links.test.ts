/**
 * A handshake-time figure links the slowest traced handshakes of the runs it draws, and only
 * those: a CDF at one point never names another point's connection; a run where every handshake
 * took the same time has no outlier to link. A CDF on the page also marks them on its curve.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/report-build.ts';
import { memorySource } from '../../src/report/results-source.ts';

const S = '10.0.0.9:80';
/** One connection's handshake: SYN_SENT at t, ESTABLISHED after `ms`. */
function handshake(run: string, port: number, t: number, ms: number): string[] {
  const c = `10.0.0.1:${port}`;
  const recs = [
    { run, t, node: 'client', ev: 'state', conn: `${c}>${S}`, from: 'CLOSED', to: 'SYN_SENT' },
    { run, t, node: 'client', ev: 'tx', flags: 'S', seq: 0, ack: 0, len: 0, win: 64240, src: c, dst: S },
    { run, t: t + ms / 1000, node: 'client', ev: 'state', conn: `${c}>${S}`, from: 'SYN_SENT', to: 'ESTABLISHED' },
  ];
  return recs.map((r) => JSON.stringify(r));
}

function folder(): Map<string, string> {
  const runs = [
    { id: 'p0-s1', point: { latency: '5ms' }, seed: 1, metrics: { 'handshake_ms.mean': 1 } },
    { id: 'p1-s1', point: { latency: '25ms' }, seed: 1, metrics: { 'handshake_ms.mean': 1 } },
    { id: 'p2-s1', point: { latency: '50ms' }, seed: 1, metrics: { 'handshake_ms.mean': 1 } },
  ];
  const spec = {
    name: 'links',
    sweep: { latency: ['5ms', '25ms', '50ms'] },
    charts: [
      { kind: 'cdf', metric: 'handshake_ms', point: { latency: '25ms' } },
      { kind: 'cdf', metric: 'handshake_ms', point: { latency: '50ms' } },
    ],
  };
  const trace = [
    // p0: one slow handshake (a lost SYN), much slower than anything at p1.
    ...handshake('p0-s1', 40000, 0, 12),
    ...handshake('p0-s1', 40001, 1, 12),
    ...handshake('p0-s1', 40002, 2, 1012),
    ...handshake('p1-s1', 40000, 0, 52),
    ...handshake('p1-s1', 40001, 1, 52),
    ...handshake('p1-s1', 40002, 2, 52),
    ...handshake('p1-s1', 40003, 3, 1052),
    // p2: every handshake the same.
    ...handshake('p2-s1', 40000, 0, 102),
    ...handshake('p2-s1', 40001, 1, 102),
    ...handshake('p2-s1', 40002, 2, 102),
  ];
  const samples = ['run,metric,value', ...runs.map((r) => `${r.id},handshake_ms,${r.id === 'p0-s1' ? 12 : 52}`)];
  return new Map([
    [
      'summary.json',
      JSON.stringify({
        experiment: 'links',
        spec,
        runs,
        aggregate: runs.map((r) => ({
          point: r.point,
          metrics: { 'handshake_ms.mean': { mean: 1, ci95: 0, min: 1, max: 1, n: 1 } },
        })),
      }),
    ],
    ['samples.csv', samples.join('\n') + '\n'],
    ['trace.jsonl', trace.join('\n') + '\n'],
  ]);
}

describe('outlier links from handshake-time figures', () => {
  it("link only the drawn runs' handshakes slower than their run's median", async () => {
    const report = await buildReport(memorySource(folder()), { explorerScript: () => '/* client */' });
    const figures = report.html.split('<figure').slice(1);
    expect(figures).toHaveLength(2);
    const links = (html: string): string[] => [
      ...new Set([...html.matchAll(/href="(#explore=[^"]+)"/g)].map((m) => m[1]!)),
    ];
    // The 25 ms CDF: p1's lost SYN (connection 3), not p0's slower one.
    expect(links(figures[0]!)).toEqual(['#explore=p1-s1/3']);
    expect(figures[0]).toContain('1052 ms');
    // The 50 ms CDF: every handshake took 102 ms, so none is linked.
    expect(links(figures[1]!)).toEqual([]);
    // On the page the outlier is also a mark on its curve, a link to its ladder; the SVG file is unmarked.
    expect(figures[0]).toMatch(
      /<g class="outliers"><a href="#explore=p1-s1\/3" class="outlier"><title>1052 ms, [^<]*<\/title><circle /,
    );
    expect(report.figures[0]!.svg).not.toContain('outlier');
  });
});
