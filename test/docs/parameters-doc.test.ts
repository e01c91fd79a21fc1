/**
 * docs/parameters.md is rendered from the parameter table, the profiles and the metric docs; this
 * regenerates it and fails when the committed file differs (like docs/conformance.md), and checks
 * that the table and what a run produces agree with it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderParametersDoc } from '../../src/experiment/parameters-doc.ts';
import { rangeProblem } from '../../src/experiment/tcp-spec.ts';
import { PROFILES, type TcpParams } from '../../src/tcp/params.ts';
import { TCP_PARAM_TABLE } from '../../src/tcp/param-table.ts';
import type { SpecParamKey } from '../../src/tcp/param-info.ts';
import { isDocumentedMetric, TIMESERIES_METRICS } from '../../src/metrics/metric-docs.ts';
import { runOne } from '../experiment/world-helpers.ts';

const doc = path.resolve(import.meta.dirname, '../../docs/parameters.md');

describe('docs/parameters.md', () => {
  it('is what the code says', () => {
    const text = renderParametersDoc();
    const committed = existsSync(doc) ? readFileSync(doc, 'utf8') : '';
    if (committed !== text) writeFileSync(doc, text);
    expect(committed, 'docs/parameters.md was out of date: it has been regenerated, review and commit it').toBe(text);
  });

  it("the table has one entry per TcpParams field, in the profiles' order", () => {
    expect(Object.keys(TCP_PARAM_TABLE)).toEqual(Object.keys(PROFILES.linux));
    expect(Object.keys(TCP_PARAM_TABLE)).toEqual(Object.keys(PROFILES.rfc9293));
  });

  it("every profile default lies in its parameter's allowed range", () => {
    for (const profile of ['linux', 'rfc9293'] as const) {
      for (const key of Object.keys(TCP_PARAM_TABLE) as SpecParamKey[]) {
        const v = PROFILES[profile][key as keyof TcpParams];
        const info = TCP_PARAM_TABLE[key];
        if (typeof v === 'number') expect(rangeProblem(info, v), `${profile}.${key}`).toBeUndefined();
        else if (typeof info.kind === 'object') expect(info.kind.oneOf, `${profile}.${key}`).toContain(v);
        else expect(typeof v, `${profile}.${key}`).toBe('boolean');
      }
    }
  });

  it('documents every metric and time-series metric a run produces', () => {
    const out = runOne(`name: m
topology: { generator: star, clients: 2, latency: 1ms, bandwidth: 100Mbps }
duration: 3s
tcp: { synCookies: true, backlog: 4 }
apps:
  web: { kind: server, on: server, port: 80, responseBytes: 2KB }
  users: { kind: client, on: client, target: server:80, rate: 20/s, stop: 2s }
  flood: { kind: synflood, on: client1, target: server:80, rate: 500/s, stop: 2s }
`);
    const undocumented = Object.keys(out.metrics).filter((m) => !isDocumentedMetric(m));
    expect(undocumented).toEqual([]);
    const series = new Set(out.timeseries.metric);
    expect([...series].filter((m) => !TIMESERIES_METRICS.some((d) => d.name === m))).toEqual([]);
    expect(series.size).toBeGreaterThanOrEqual(4);
  });
});
