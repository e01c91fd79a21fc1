/**
 * reportFolder on whole results folders: every requested figure written as well-formed SVG and
 * shown on the page with its caption, byte-identical output on a redraw, atomic writes (no temp
 * files left), and figures with missing inputs listed with the reason instead of failing.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listTemps } from '../../src/experiment/atomic-write.ts';
import { reportFolder } from '../../src/report/index.ts';
import { copyFixture } from './fixture-data.ts';
import { findAll, parseXml } from './xml.ts';

const made: string[] = [];
async function fixture(name: string): Promise<string> {
  const dir = await copyFixture(name);
  made.push(dir);
  return dir;
}
async function emptyDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tcplab-report-empty-'));
  made.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

async function outputs(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of (await readdir(dir)).sort())
    if (f.endsWith('.svg') || f === 'index.html') out.set(f, await readFile(join(dir, f), 'utf8'));
  return out;
}

describe('reportFolder on the syn-flood results', () => {
  it('writes every requested figure and a page that shows them all', async () => {
    const dir = await fixture('syn-flood');
    const { figures } = await reportFolder(dir);
    expect(figures.map((f) => basename(f))).toEqual([
      '01-timeseries-syn_queue.svg',
      '02-timeseries-time_wait.svg',
      '03-sweep-connections.success_ratio.svg',
      '04-sweep-handshake_ms.mean.svg',
      '05-cdf-handshake_ms.svg',
      '06-bar-syn_queue.drops.svg',
      '07-ladder-client1.svg',
      '08-states-p0-s1.svg',
    ]);
    for (const f of figures) expect(parseXml(await readFile(f, 'utf8')).name).toBe('svg');
    // The SYN queue figure marks the listener's capacity (syn_queue.capacity = 129 in every run).
    expect(await readFile(figures[0]!, 'utf8')).toContain('>capacity 129 per listener</text>');
    const html = await readFile(join(dir, 'index.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.match(/<figure id="fig-\d+">/g)).toHaveLength(8);
    expect(html.match(/<figcaption>/g)).toHaveLength(8);
    for (const f of figures) expect(html).toContain(`href="${basename(f)}"`);
    for (const title of [
      'SYN queue occupancy',
      'Connection success under SYN flood',
      'Handshake with a lost SYN',
      'TCP states of the first connections',
    ]) {
      expect(html).toContain(`<b>${title}.</b>`);
    }
    // Self-contained: no external stylesheets, scripts or fonts. The trace explorer's script is
    // inline, and the only files it loads are its own, in explore/ beside the page.
    expect(html).not.toMatch(/<link|<script[^>]* src=/);
    const markup = html.replace(/<script>[^]*?<\/script>/g, '');
    expect(markup).not.toMatch(/@import|url\(/);
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).toContain('<section id="explorer">');
    expect((await readdir(join(dir, 'explore'))).length).toBeGreaterThan(0);
  });

  it('lists the parameters, sweep axes, seeds and the aggregate metrics as mean ± CI', async () => {
    const dir = await fixture('syn-flood');
    await reportFolder(dir);
    const html = await readFile(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<h1>syn-flood</h1>');
    expect(html).toContain('<tr><th>Sweep apps.flood.rate</th><td>0/s, 100/s, 1000/s, 10000/s</td></tr>');
    expect(html).toContain('<tr><th>Sweep tcp.synCookies</th><td>false, true</td></tr>');
    expect(html).toContain('<tr><th>Seeds</th><td>1–3 (3 per point)</td></tr>');
    expect(html).toContain('<tr><th>Runs</th><td>24</td></tr>');
    expect(html).toContain('synflood on attacker');
    // p4 = rate 1000/s without cookies: success ratio 0.669 ± 0.129 over 3 seeds.
    expect(html).toContain('0.669 <span class="ci">± 0.129</span>');
    expect(html).toContain('<code>connections.success_ratio</code>');
    expect(html).toContain('rate=<b>1000/s</b><br>synCookies=<b>false</b>');
    // The spec as YAML.
    expect(html).toContain('apps.flood.rate:');
  });

  it('redraws byte-identical output, in place and in another folder, leaving no temp files', async () => {
    const one = await fixture('syn-flood');
    const two = await fixture('syn-flood');
    await reportFolder(one);
    const first = await outputs(one);
    await reportFolder(one);
    await reportFolder(two);
    expect(await outputs(one)).toEqual(first);
    const second = await outputs(two);
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [k, v] of first) expect(second.get(k)).toBe(v);
    expect(listTemps(one)).toEqual([]);
  });
});

describe('reportFolder with missing inputs', () => {
  it('notes a figure it cannot draw (no samples.csv) and draws the rest', async () => {
    const dir = await fixture('close');
    const { figures } = await reportFolder(dir);
    expect(figures.map((f) => basename(f))).toEqual([
      '01-ladder-10.0.0.1_40000.svg',
      '02-ladder-10.0.0.2_81.svg',
      '03-states.svg',
    ]);
    const html = await readFile(join(dir, 'index.html'), 'utf8');
    expect(html).toContain(
      '<div class="skipped" id="fig-4"><b>Figure 4</b> (Handshake time) was not drawn: samples.csv not found.</div>',
    );
    expect(html).toContain('Simultaneous close');
  });

  it('writes a page even for an empty folder', async () => {
    const dir = await emptyDir();
    const { figures } = await reportFolder(dir);
    expect(figures).toEqual([]);
    const html = await readFile(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('summary.json not found');
    expect(html).toContain('No figures were requested');
  });

  it('explains malformed chart entries by field path and figures whose data is absent', async () => {
    const dir = await emptyDir();
    const spec = {
      name: 'broken',
      charts: [
        { kind: 'pie', metric: 'syn_queue' },
        { kind: 'timeseries' },
        { kind: 'sweep', x: 'apps.flood.rate' },
        { kind: 'ladder', run: 'p0-s1' },
        { kind: 'timeseries', metric: 'syn_queue', logy: 'yes' },
        { kind: 'states', point: { 'tcp.backlog': 64 } },
      ],
    };
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ experiment: 'broken', spec, runs: [], aggregate: [] }));
    await writeFile(join(dir, 'trace.jsonl'), '{"run":"p0-s1","t":0,"node":"a","ev":"app"}\nnot json\n');
    const { figures } = await reportFolder(dir);
    expect(figures).toEqual([]);
    const html = await readFile(join(dir, 'index.html'), 'utf8');
    expect(html).toContain(
      'charts.0.kind: expected one of timeseries, sweep, cdf, bar, ladder, states, got &quot;pie&quot;',
    );
    expect(html).toContain('charts.1.metric: a timeseries chart needs a metric');
    expect(html).toContain('charts.2.y: a sweep chart needs a metric on y');
    expect(html).toContain('no connection in the trace of run p0-s1');
    expect(html).toContain('charts.4.logy: expected true or false');
    expect(html).toContain('no run at point tcp.backlog=64');
    expect(html).toContain('trace.jsonl: ignored 1 line that is not a trace record.');
  });

  it('draws a default set of figures when the spec asks for none', async () => {
    const dir = await fixture('syn-flood');
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    delete summary.spec.charts;
    await writeFile(join(dir, 'summary.json'), JSON.stringify(summary));
    const { figures } = await reportFolder(dir);
    expect(figures.map((f) => basename(f))).toEqual([
      '01-timeseries-syn_queue.svg',
      '02-timeseries-accept_queue.svg',
      '03-timeseries-time_wait.svg',
      '04-cdf-handshake_ms.svg',
      '05-cdf-request_ms.svg',
      '06-sweep-connections.success_ratio.svg',
      '07-sweep-handshake_ms.mean.svg',
      '08-sweep-time_wait.peak.svg',
      '09-ladder.svg',
      '10-states.svg',
    ]);
  });

  it('draws a time series of one node beside its sum over nodes', async () => {
    const dir = await fixture('syn-flood');
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    summary.spec.charts = [
      { kind: 'timeseries', metric: 'time_wait' },
      { kind: 'timeseries', metric: 'time_wait', node: 'client1' },
    ];
    await writeFile(join(dir, 'summary.json'), JSON.stringify(summary));
    const { figures } = await reportFolder(dir);
    const top = async (f: string): Promise<number> => {
      const svg = parseXml(await readFile(f, 'utf8'));
      const y = findAll(svg, (e) => (e.attrs.class ?? '').includes('y-axis'))[0]!;
      return Math.max(
        ...findAll(y, (e) => e.name === 'text').map((t) => Number(String(t.children[0]).replace(/,/g, ''))),
      );
    };
    // Two clients open the same number of connections: one holds about half the TIME-WAIT sockets.
    expect(await top(figures[0]!)).toBe(140);
    expect(await top(figures[1]!)).toBe(70);
  });

  it('reads named sweep axes (variants) as categories in the order written', async () => {
    const dir = await fixture('syn-flood');
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    const rename = (p: Record<string, unknown>): Record<string, unknown> => {
      const { 'tcp.synCookies': ck, ...rest } = p;
      return { ...rest, defence: ck ? 'cookies' : 'none' };
    };
    summary.spec.sweep = {
      'apps.flood.rate': summary.spec.sweep['apps.flood.rate'],
      defence: { none: { 'tcp.synCookies': false }, cookies: { 'tcp.synCookies': true } },
    };
    summary.spec.charts = [
      { kind: 'sweep', x: 'apps.flood.rate', y: 'connections.success_ratio', series: 'defence' },
      { kind: 'ladder', point: { 'apps.flood.rate': '0/s', defence: 'none' } },
    ];
    for (const r of summary.runs) r.point = rename(r.point);
    for (const a of summary.aggregate) a.point = rename(a.point);
    await writeFile(join(dir, 'summary.json'), JSON.stringify(summary));
    const { figures } = await reportFolder(dir);
    expect(figures).toHaveLength(2);
    const svg = parseXml(await readFile(figures[0]!, 'utf8'));
    const legend = findAll(svg, (e) => e.attrs.class === 'legend')[0]!;
    expect(findAll(legend, (e) => e.name === 'text').map((t) => t.children.join(''))).toEqual([
      'Defence:',
      'No defence',
      'SYN cookies',
    ]);
    const html = await readFile(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<tr><th>Sweep defence</th><td>none, cookies</td></tr>');
    expect(html).toContain('<tr class="sub"><th>cookies</th><td>tcp.synCookies: true</td></tr>');
    expect(html).not.toContain('<code>sim.wall_s</code> <span');
  });

  it("draws only the runs at a chart's point, one series per axis value the point leaves free", async () => {
    const dir = await fixture('syn-flood');
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    summary.spec.charts = [
      { kind: 'timeseries', metric: 'syn_queue', point: { 'apps.flood.rate': '1000/s' } },
      { kind: 'cdf', metric: 'handshake_ms', point: { 'tcp.synCookies': true } },
      { kind: 'sweep', x: 'apps.flood.rate', y: 'connections.success_ratio', point: { 'tcp.synCookies': false } },
      { kind: 'timeseries', metric: 'syn_queue', point: { 'apps.flood.rate': '5/s' } },
    ];
    await writeFile(join(dir, 'summary.json'), JSON.stringify(summary));
    const { figures } = await reportFolder(dir);
    expect(figures).toHaveLength(3);
    const series = async (f: string): Promise<string[]> =>
      [...(await readFile(f, 'utf8')).matchAll(/data-series="([^"]*)"/g)].map((m) => m[1]!);
    expect(await series(figures[0]!)).toEqual(['SYN cookies off', 'SYN cookies on']);
    expect(await series(figures[1]!)).toEqual([
      'SYN flood rate 0/s',
      'SYN flood rate 100/s',
      'SYN flood rate 1,000/s',
      'SYN flood rate 10,000/s',
    ]);
    expect(await series(figures[2]!)).toEqual(['mean']);
    const html = await readFile(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('Runs at SYN flood rate 1,000/s only.');
    expect(html).toContain('was not drawn: no run at point apps.flood.rate=5/s.');
  });

  it('removes the figures of an earlier draw that this one does not write', async () => {
    const dir = await fixture('syn-flood');
    await reportFolder(dir);
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    summary.spec.charts = [{ kind: 'cdf', metric: 'handshake_ms' }];
    await writeFile(join(dir, 'summary.json'), JSON.stringify(summary));
    await writeFile(join(dir, 'my-notes.svg'), '<svg/>');
    await reportFolder(dir);
    expect((await readdir(dir)).filter((f) => f.endsWith('.svg')).sort()).toEqual([
      '01-cdf-handshake_ms.svg',
      'my-notes.svg',
    ]);
  });

  it('finds the run of a ladder by its sweep point', async () => {
    const dir = await fixture('syn-flood');
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    summary.spec.charts = [
      { kind: 'ladder', point: { 'apps.flood.rate': '0/s', 'tcp.synCookies': false }, conn: '10.0.0.2:40002' },
    ];
    await writeFile(join(dir, 'summary.json'), JSON.stringify(summary));
    const { figures } = await reportFolder(dir);
    expect(basename(figures[0]!)).toBe('01-ladder-10.0.0.2_40002-0_s-false.svg');
    const svg = await readFile(figures[0]!, 'utf8');
    expect(svg).toContain('run p0-s1');
    expect(svg).toContain('10.0.0.2:40002');
  });
});
