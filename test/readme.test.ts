/**
 * Every number README.md states is true: each sentence of test/readme-numbers.ts must appear in
 * the README word for word, and the code must produce its numbers (shrunk runs of the flagship
 * files where the number allows, the README's own example extracted from its text, and the
 * profile table against src/tcp/params.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSpecError } from '../src/experiment/errors.ts';
import { loadExperiment } from '../src/experiment/load.ts';
import type { RunOutput } from '../src/experiment/run-output.ts';
import { executeRun } from '../src/experiment/run.ts';
import type { PointValues } from '../src/schema/results.ts';
import { PROFILES } from '../src/tcp/params.ts';
import { MS, SEC } from '../src/sim/time.ts';
import * as N from './readme-numbers.ts';
import { wheelPrediction } from './linux/fidelity-rows.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Run = { point: PointValues; seed: number; out: RunOutput };
/** Runs the file's runs (those `only` keeps: the suite runs no more than a number needs). */
function runFile(file: string, set: string[], only: (point: PointValues, seed: number) => boolean = () => true): Run[] {
  const r = loadExperiment(file, { set });
  if (!r.ok) throw new Error(r.errors.map(formatSpecError).join('\n'));
  return r.value.runs
    .filter((run) => only(run.point, run.seed))
    .map((run) => ({ point: run.point, seed: run.seed, out: executeRun(run, { trace: false, pcap: false }) }));
}
const m = (out: RunOutput, name: string): number => out.metrics[name] as number;
const mean = (runs: Run[], name: string): number => runs.reduce((s, r) => s + m(r.out, name), 0) / runs.length;
const where = (runs: Run[], want: PointValues): Run[] =>
  runs.filter((r) => Object.entries(want).every(([k, v]) => r.point[k] === v));
/** As the README rounds: two decimals, trailing zeros dropped ("0.10" → "0.1", "0.00" → "0"). */
const twoDecimals = (x: number): string => String(Number(x.toFixed(2)));

it('README gives the conformance headline docs/conformance.md counts (the suite regenerates that file)', () => {
  const doc = readFileSync(new URL('../docs/conformance.md', import.meta.url), 'utf8');
  const corpus =
    /`\.\.\/shared\/conformance\/packetdrill`: \*\*(\d+) passed, (\d+) failed, 0 skipped\*\* of (\d+) scripts/.exec(
      doc,
    );
  const upstream = /\*\*In scope: (\d+) of (\d+) scripts pass \(([\d.]+) %\)\*\*/.exec(doc);
  expect(corpus, 'corpus line in docs/conformance.md').not.toBeNull();
  expect(upstream, 'upstream headline in docs/conformance.md').not.toBeNull();
  const [, corpusPass, corpusFail, corpusAll] = corpus!;
  const [, pass, scope, pct] = upstream!;
  const corpusText =
    corpusFail === '0'
      ? `all ${corpusAll} scripts of the shared corpus pass`
      : `${corpusPass} of the ${corpusAll} scripts of the shared corpus pass`;
  expect(README.replace(/\s+/g, ' ')).toContain(`Today ${corpusText}`);
  expect(README.replace(/\s+/g, ' ')).toContain(
    `and ${pass} of the ${scope} in-scope scripts of Linux's suite (${pct} %).`,
  );
});

it('README states every sentence of test/readme-numbers.ts word for word', () => {
  for (const [name, text] of Object.entries({
    ...N.SENTENCES,
    http: N.HTTP_SENTENCE,
    bulk: N.BULK_SENTENCE,
    h2loss: N.H2_LOSS_SENTENCE,
  }))
    expect(README, name).toContain(text);
});

describe('the numbers, produced by the code', () => {
  it('handshake: the RTT floor exactly; each lost SYN adds 1 s; p99 +1 s at 1 % loss and +2 s at 10 %', () => {
    const runs = runFile('experiments/handshake.yaml', [
      'sweep={topology.latency: [25ms], topology.loss: [0, 0.01, 0.1]}',
      'charts=',
    ]);
    expect(mean(where(runs, { 'topology.loss': 0 }), 'handshake_ms.p50')).toBe(N.HANDSHAKE_RTT_MS);
    for (const [loss, steps] of [
      [0.01, 1],
      [0.1, 2],
    ] as const) {
      for (const r of where(runs, { 'topology.loss': loss })) {
        expect(
          Math.abs(m(r.out, 'handshake_ms.p99') - (N.HANDSHAKE_RTT_MS + steps * N.LOSS_STEP_S * 1000)),
          `loss ${loss} seed ${r.seed}`,
        ).toBeLessThanOrEqual(steps * N.TIMER_SLACK_MS + 1e-6);
      }
    }
    // k lost SYNs in a row: k fault rules, each dropping the first SYN that reaches it (a SYN a
    // rule drops never reaches the next), so the client's first k SYNs: k seconds more
    for (const k of [1, 2, 3]) {
      const faults = `faults=[${Array.from({ length: k }, () => '{node: client, chain: output, flags: S, nth: 1}').join(', ')}]`;
      const [r] = runFile('experiments/handshake.yaml', [
        'sweep={topology.latency: [25ms]}',
        'seeds=1',
        'charts=',
        'apps.users.count=1',
        'topology.clients=1',
        faults,
      ]);
      expect(
        Math.abs(m(r!.out, 'handshake_ms.max') - (N.HANDSHAKE_RTT_MS + k * N.LOSS_STEP_S * 1000)),
        `${k} lost SYNs`,
      ).toBeLessThanOrEqual(k * N.TIMER_SLACK_MS + 1e-6);
    }
    expect(PROFILES.linux.synLinearTimeouts).toBeGreaterThanOrEqual(4); // SYNs at 0, 1, 2, 3, 4, 5 s
  });

  it('syn-flood: 129 for the whole attack, then 64; success without a defence; cookies, cache and recycling at 10 000 SYN/s', () => {
    const runs = runFile('experiments/syn-flood.yaml', [
      'sweep={apps.flood.rate: [30/s, 100/s, 1000/s], defence: {none: {}}}',
      'charts=',
    ]);
    for (const [rate, stated] of Object.entries(N.SYN_FLOOD_NO_DEFENCE)) {
      expect(twoDecimals(mean(where(runs, { 'apps.flood.rate': rate }), 'connections.success_ratio')), rate).toBe(
        stated,
      );
    }
    const thousand = where(runs, { 'apps.flood.rate': '1000/s' })[0]!.out;
    expect(m(thousand, 'syn_queue.peak')).toBe(129);
    const ts = thousand.timeseries;
    const queue = (from: number, to: number): number[] =>
      ts.value.filter(
        (_, i) => ts.metric[i] === 'syn_queue' && ts.node[i] === 'server' && ts.t_s[i]! >= from && ts.t_s[i]! <= to,
      );
    const during = queue(11, 40); // the flood runs from 10 s to 40 s
    expect(during.filter((v) => v !== 129).length / during.length).toBeLessThan(0.01); // "all but a few samples"
    const after = queue(45, 60);
    expect(after.at(-1)).toBe(N.SYN_QUEUE_AFTER_FLOOD); // settles there (a late request may still be expiring at 45 s)
    expect(Math.min(...after)).toBe(N.SYN_QUEUE_AFTER_FLOOD);

    const heavy = runFile(
      'experiments/syn-flood.yaml',
      ['sweep.apps.flood.rate=[10000/s]', 'seeds=1', 'charts='],
      (p) => ['cookies', 'cache', 'recycle'].includes(String(p['defence'])),
    );
    for (const defence of ['cookies', 'cache'])
      expect(m(where(heavy, { defence })[0]!.out, 'connections.success_ratio'), defence).toBe(1);
    expect(m(where(heavy, { defence: 'recycle' })[0]!.out, 'connections.success_ratio')).toBe(0);
    // 12.9 ms = 129 entries / 10 000 SYN/s; the RTT of star.yaml's client path is 2 × (10 + 1) ms
    expect(129 / 10000).toBeCloseTo(0.0129, 6);
    const star = readFileSync('topologies/star.yaml', 'utf8');
    expect(star).toMatch(/between: \[client, r1\], latency: 10ms/);
    expect(star).toMatch(/between: \[r1, server\], latency: 1ms/);
  });

  it('time-wait: the saw-tooth at 300/s; 28 232 ports; connect() fails at 460/s and 480/s', () => {
    const p = PROFILES.linux;
    expect(p.ephemeralHigh - p.ephemeralLow + 1).toBe(28232);
    expect(Math.round(28232 / 61.4 / 10) * 10).toBe(N.PORTS_LAST_UNTIL); // TIME-WAIT lasts 60–62 s on the wheel
    // 65 s is enough: the plateau is reached at 60–62 s, and ports run out before TIME-WAITs expire
    const runs = runFile('experiments/time-wait.yaml', [
      `sweep={apps.users.rate: [300/s, ${N.FAILING_RATES.join(', ')}], close: {client-closes: {apps.users.closer: client}}}`,
      'duration=65s',
      'apps.users.stop=64s',
      'charts=',
    ]);
    const peak = m(where(runs, { 'apps.users.rate': '300/s' })[0]!.out, 'time_wait.peak');
    expect(peak).toBeGreaterThanOrEqual(N.TIME_WAIT_300[0]);
    expect(peak).toBeLessThanOrEqual(N.TIME_WAIT_300[1]);
    for (const rate of N.FAILING_RATES)
      expect(m(where(runs, { 'apps.users.rate': rate })[0]!.out, 'connect_errors.EADDRNOTAVAIL'), rate).toBeGreaterThan(
        0,
      );
  });

  it('bulk: more than 8.9 Mbit/s without loss; within 0.5-1.5x of the Mathis model at 3 % loss (seed 1)', () => {
    const runs = runFile('experiments/bulk.yaml', [
      'sweep={topology.loss: [0, 0.03], congestion: {cubic: {tcp.congestion: cubic}, reno: {tcp.congestion: reno}}}',
      'seeds=1',
      'charts=',
    ]);
    const mathis = (((1448 * 8) / 0.04) * (1.22 / Math.sqrt(0.03))) / 1e6;
    expect(mathis.toFixed(1)).toBe('2.0');
    for (const r of where(runs, { 'topology.loss': 0 }))
      expect(m(r.out, 'bulk_goodput_mbps.mean')).toBeGreaterThan(N.BULK_LOSSLESS_MBPS);
    for (const r of where(runs, { 'topology.loss': 0.03 })) {
      expect(m(r.out, 'bulk_goodput_mbps.mean')).toBeGreaterThan(N.BULK_MATHIS_BAND[0] * mathis);
      expect(m(r.out, 'bulk_goodput_mbps.mean')).toBeLessThan(N.BULK_MATHIS_BAND[1] * mathis);
    }
  });

  it('http-versions: 20, 3, 11, 2 and 2 round trips for a page of 10 objects', () => {
    const runs = runFile('experiments/http-versions.yaml', [
      'sweep.topology.latency=[50ms]',
      'sweep.topology.loss=[0]',
      'seeds=1',
      'charts=',
    ]);
    for (const r of runs) {
      const rtt = 2 * (50 + 1); // client link 50 ms, server link 1 ms
      const rtts = m(r.out, 'page_ms.mean') / rtt;
      const want = N.HTTP_RTTS[String(r.point['http'])]!;
      expect(rtts, String(r.point['http'])).toBeGreaterThan(want);
      expect(rtts, String(r.point['http'])).toBeLessThan(want + 0.1);
    }
  });

  it('http2-loss: 6 and 10 round trips without loss; HTTP/2 ahead at 0.5 % loss, behind at 1 %, 1.5x behind at 5 % (means over 8 seeds)', () => {
    const runs = runFile('experiments/http2-loss.yaml', ['sweep.topology.loss=[0, 0.005, 0.01, 0.05]', 'charts=']);
    const mean = (http: string, loss: number): number => {
      const v = where(runs, { http, 'topology.loss': loss }).map((r) => m(r.out, 'page_ms.mean'));
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    const rtt = 2 * (25 + 1);
    for (const [http, rtts] of Object.entries(N.H2_LOSS_RTTS)) {
      expect(mean(http, 0) / rtt, http).toBeGreaterThan(rtts);
      expect(mean(http, 0) / rtt, http).toBeLessThan(rtts + 0.1);
    }
    expect(mean('h2', 0.005)).toBeLessThan(mean('parallel', 0.005));
    expect(mean('h2', 0.01)).toBeGreaterThan(mean('parallel', 0.01));
    expect(mean('h2', 0.05)).toBeGreaterThan(1.5 * mean('parallel', 0.05));
  });

  it('the my-flood example, taken from the README text, shows the flood: clients fail without cookies', () => {
    const yaml = /```yaml\n(name: my-flood[\s\S]*?)```/.exec(README)![1]!;
    const root = mkdtempSync(join(tmpdir(), 'tcplab-readme-'));
    scratch.push(root);
    mkdirSync(join(root, 'experiments'));
    cpSync('topologies', join(root, 'topologies'), { recursive: true });
    writeFileSync(join(root, 'experiments/my-flood.yaml'), yaml);
    // One seed (the README's numbers are 3-seed means; seed 1 rounds the same) and the points the sentence names.
    const runs = runFile(
      join(root, 'experiments/my-flood.yaml'),
      ['seeds=1'],
      (p) => p['tcp.synCookies'] === false || p['apps.flood.rate'] === '10000/s',
    );
    for (const [rate, stated] of Object.entries(N.MY_FLOOD_SUCCESS)) {
      expect(
        twoDecimals(
          mean(where(runs, { 'apps.flood.rate': rate, 'tcp.synCookies': false }), 'connections.success_ratio'),
        ),
        rate,
      ).toBe(stated);
    }
    expect(
      mean(where(runs, { 'apps.flood.rate': '10000/s', 'tcp.synCookies': true }), 'connections.success_ratio'),
      'with cookies',
    ).toBe(1);
    expect(mean(where(runs, { 'apps.flood.rate': '0/s' }), 'connections.success_ratio')).toBe(1);
  });

  it('the Linux fidelity table is the profiles of src/tcp/params.ts', () => {
    const [l, r] = [PROFILES.linux, PROFILES.rfc9293];
    expect(README).toContain('| initial / min / max RTO | 1 s / 200 ms / 120 s | 1 s / 1 s / 60 s |');
    expect([l.initialRto, l.minRto, l.maxRto, r.initialRto, r.minRto, r.maxRto]).toEqual([
      SEC,
      200 * MS,
      120 * SEC,
      SEC,
      SEC,
      60 * SEC,
    ]);
    expect(README).toContain('(`synRetries: 6`, `synLinearTimeouts: 4`, Linux ≥ 6.5)');
    expect([l.synRetries, l.synLinearTimeouts]).toEqual([6, 4]);
    // what the wheel allows over every jiffies phase (HZ 250), from the chain of waits in jiffies
    const range = (w: number[]): string => {
      const r = wheelPrediction(w, 0, 0);
      return `${r.min.toFixed(1)}–${r.max.toFixed(1)} s`;
    };
    expect(README).toContain(
      `ETIMEDOUT at 131 s nominally, ${range([250, 250, 250, 250, 250, 500, 1000, 2000, 4000, 8000, 16000])} on the timer wheel`,
    );
    expect(README).toContain(
      `request dropped at 63 s nominally, ${range([250, 500, 1000, 2000, 4000, 8000])} on the timer wheel`,
    );
    expect(README).toContain(
      '| TIME-WAIT | 60 s (60–62.05 s on the wheel), restarted by a retransmitted FIN, killed by RST | 240 s, RFC 1337 |',
    );
    expect([l.timeWait, l.rfc1337, r.timeWait, r.rfc1337]).toEqual([60 * SEC, false, 240 * SEC, true]);
    expect(README).toContain('| FIN_WAIT_2 timeout | 60 s | none |');
    expect([l.finWait2Timeout, r.finWait2Timeout]).toEqual([60 * SEC, 0]);
    expect(README).toContain('| delayed ACK | 40 ms min, 200 ms max, quick-ACK at start | < 500 ms |');
    expect([l.delayedAckMin, l.delayedAckMax, r.delayedAckMax]).toEqual([40 * MS, 200 * MS, 500 * MS]);
    expect(README).toContain('| ephemeral ports | 32768–60999 | 49152–65535 |');
    expect([l.ephemeralLow, l.ephemeralHigh, r.ephemeralLow, r.ephemeralHigh]).toEqual([32768, 60999, 49152, 65535]);
    expect(README).toContain(
      '| TCP Fast Open (`fastOpen`) | client on (tcp_fastopen 1): a cookie request, then data in the SYN; a listener takes SYN data with bit 2 and a `fastOpenQueue` | off |',
    );
    expect([l.fastOpen, r.fastOpen, l.fastOpenQueue]).toEqual([1, 0, 0]);
  });
});
