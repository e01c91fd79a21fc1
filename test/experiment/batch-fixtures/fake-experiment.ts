/**
 * Experiment and RunSpec records for batch tests, built by hand (no YAML, no validation). The fake
 * runner never reads the spec (it is only hashed), so fields added to ExperimentSpec later need
 * not be listed here: hence the assertion.
 */
import type { ExperimentSpec, RunSpec } from '../../../src/experiment/spec-types.ts';
import type { PointValues } from '../../../src/schema/results.ts';

export const FAKE_RUNNER = new URL('./fake-run.ts', import.meta.url).href;

export function fakeExperiment(name = 'fake', extra: Partial<ExperimentSpec> = {}): ExperimentSpec {
  return {
    name,
    file: `experiments/${name}.yaml`,
    topology: { name: 'pair', nodes: [], links: [] },
    duration: 1_000_000_000,
    seed: 1,
    seeds: 1,
    tcp: { profile: 'linux' },
    nodes: {},
    apps: {},
    sweep: {},
    charts: [],
    sampleInterval: 100_000_000,
    trace: false,
    pcap: false,
    ...extra,
  } as ExperimentSpec;
}

/** Points × seeds, point-major, ids "p<i>-s<seed>" as the sweep expansion names them. */
export function fakeRuns(points: PointValues[], seeds: number, experiment = fakeExperiment()): RunSpec[] {
  const runs: RunSpec[] = [];
  points.forEach((point, pointIndex) => {
    for (let s = 0; s < seeds; s++) {
      const seed = experiment.seed + s;
      runs.push(
        Object.freeze({ id: `p${pointIndex}-s${seed}`, pointIndex, point, seed, spec: { ...experiment, seed } }),
      );
    }
  });
  return runs;
}

export function ratePoints(n: number): PointValues[] {
  return Array.from({ length: n }, (_, i) => ({ rate: (i + 1) * 10, mode: i % 2 === 0 ? 'a,b' : 'c' }));
}
