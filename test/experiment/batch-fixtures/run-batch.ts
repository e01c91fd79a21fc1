/**
 * A batch as a process of its own, for tests that kill or interrupt it:
 *   node --import tsx run-batch.ts <outDir> <jobs> <points> <seeds> [i/n]
 */
import { runBatch } from '../../../src/experiment/batch.ts';
import { parseShard } from '../../../src/experiment/shard.ts';
import { FAKE_RUNNER, fakeExperiment, fakeRuns, ratePoints } from './fake-experiment.ts';

const [outDir, jobs, points, seeds, shard] = process.argv.slice(2);
const experiment = fakeExperiment();
await runBatch(fakeRuns(ratePoints(Number(points)), Number(seeds), experiment), {
  outDir: outDir!,
  jobs: Number(jobs),
  trace: true,
  pcap: false,
  experiment,
  rawSpec: { name: 'fake', sweep: { rate: [10, 20] } },
  runner: FAKE_RUNNER,
  ...(shard ? { shard: parseShard(shard)! } : {}),
});
