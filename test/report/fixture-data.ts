/** Loads the hand-built results folders in test/report/fixtures for the chart tests. */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listPoints } from '../../src/report/points.ts';
import type { PointInfo } from '../../src/report/points.ts';
import { readSamples, readSummary, readTimeseries, readTrace } from '../../src/report/read-results.ts';
import { folderSource } from '../../src/report/folder-source.ts';
import type { Summary, TimeseriesRow } from '../../src/schema/results.ts';
import type { SampleRow } from '../../src/schema/results.ts';
import type { TraceEvent } from '../../src/report/trace-records.ts';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export interface FixtureData {
  summary: Summary;
  sweepPaths: string[];
  sweepValues: Record<string, unknown[]>;
  points: PointInfo[];
  timeseries: TimeseriesRow[];
  samples: SampleRow[];
  trace: TraceEvent[];
}

/** The fixture's time series as written: one row per node and sample. */
async function nodeRows(dir: string): Promise<TimeseriesRow[]> {
  const nodes = new Set(['server', 'client1', 'client2']);
  const wants = new Map(['syn_queue', 'accept_queue', 'time_wait'].map((m) => [m, nodes]));
  return (await readTimeseries(folderSource(dir), wants))?.byNode ?? [];
}

export async function loadFixture(name: string): Promise<FixtureData> {
  const dir = join(FIXTURES, name);
  const { summary } = await readSummary(folderSource(dir));
  if (!summary) throw new Error(`fixture ${name}: no summary.json`);
  const spec = summary.spec as { sweep?: Record<string, unknown[]> };
  const sweepValues = spec.sweep ?? {};
  const sweepPaths = Object.keys(sweepValues);
  const trace = await readTrace(folderSource(dir), new Set(['p0-s1']), true);
  return {
    summary,
    sweepPaths,
    sweepValues,
    points: listPoints(summary.runs, sweepPaths, sweepValues),
    timeseries: await nodeRows(dir),
    samples: (await readSamples(folderSource(dir), null)) ?? [],
    trace: trace?.byRun.get('p0-s1') ?? [],
  };
}

/** A private copy of a fixture folder (reportFolder writes into it). */
export async function copyFixture(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `tcplab-report-${name}-`));
  await cp(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}
