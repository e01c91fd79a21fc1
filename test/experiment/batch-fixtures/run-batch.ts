/**
 * A batch as a process of its own, for tests that kill or interrupt it:
 *   node --import tsx run-batch.ts <outDir> <jobs> <points> <seeds> [i/n]
 * With FAKE_ASSEMBLE_HOLD=<marker file>, assembling the folder stops half-way through writing a
 * file (its temporary file open), creates the marker and waits, so a test can signal it there.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAtomicStream } from '../../../src/experiment/atomic-write.ts';
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
  ...(process.env.FAKE_ASSEMBLE_HOLD ? { onAssembled: holdWhileWriting } : {}),
  ...(shard ? { shard: parseShard(shard)! } : {}),
});

async function holdWhileWriting(dir: string): Promise<void> {
  const figure = await openAtomicStream(join(dir, '01-figure.svg'));
  await figure.write('<svg>');
  writeFileSync(process.env.FAKE_ASSEMBLE_HOLD!, 'assembling\n');
  await new Promise((r) => setTimeout(r, 60_000));
  await figure.commit();
}
