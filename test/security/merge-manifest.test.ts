/**
 * Issue 13 items 3 and 8: shard manifests come from shared folders, so merge validates every field
 * and writes only inside --out. A run id `../../../pwned/evil` (with the plan hash recomputed, as
 * an attacker can) used to make merge write outside both folders; a malformed manifest was an
 * exit-1 "internal error" naming no file.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchError } from '../../src/experiment/batch-errors.ts';
import { runBatch } from '../../src/experiment/batch.ts';
import { mergeShards } from '../../src/experiment/merge.ts';
import { makePlanHash, type BatchPlan } from '../../src/experiment/plan.ts';
import { FAKE_RUNNER, fakeExperiment, fakeRuns, ratePoints } from '../experiment/batch-fixtures/fake-experiment.ts';
import { tempDir } from '../experiment/batch-fixtures/folder.ts';

const quiet = { write() {} };

async function twoShards(): Promise<{ dirs: string[]; root: string }> {
  const root = tempDir('tcplab-merge-sec-');
  const experiment = fakeExperiment();
  const runs = fakeRuns(ratePoints(2), 1, experiment);
  const dirs: string[] = [];
  for (let index = 0; index < 2; index++) {
    const dir = join(root, 'shared', 'a', 'b', `s${index}`);
    mkdirSync(dir, { recursive: true });
    await runBatch(runs, {
      outDir: dir,
      jobs: 1,
      trace: false,
      pcap: false,
      experiment,
      rawSpec: { name: experiment.name },
      runner: FAKE_RUNNER,
      stderr: quiet,
      shard: { index, count: 2 },
    });
    dirs.push(dir);
  }
  return { dirs, root };
}

function editManifest(
  dir: string,
  name: string,
  edit: (m: { plan: BatchPlan; runIds: string[] } & Record<string, unknown>) => void,
  rehash = true,
): string {
  const file = join(dir, name);
  const m = JSON.parse(readFileSync(file, 'utf8'));
  edit(m);
  if (rehash) m.plan.hash = makePlanHash(m.plan);
  writeFileSync(file, JSON.stringify(m));
  return file;
}

async function mergeError(dirs: string[], out: string): Promise<BatchError> {
  try {
    await mergeShards(dirs, out, { stderr: quiet });
  } catch (err) {
    expect(err).toBeInstanceOf(BatchError);
    return err as BatchError;
  }
  throw new Error('merge succeeded');
}

describe('merge trusts nothing in a shard manifest', () => {
  it('a traversing run id is refused naming the file and field; nothing is written outside --out', async () => {
    const { dirs, root } = await twoShards();
    const file = editManifest(dirs[0]!, 'shard-0-of-2.json', (m) => {
      m.plan.runs[0]!.id = '../../../pwned/evil';
      m.runIds[0] = '../../../pwned/evil';
    });
    const out = join(root, 'out');
    const err = await mergeError(dirs, out);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`${file}: plan.runs[0].id: expected a run id like p0-s1, got "../../../pwned/evil"`);
    expect(existsSync(join(root, 'pwned'))).toBe(false);
    expect(existsSync(join(root, 'shared', 'pwned'))).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('malformed JSON, a changed plan, a wrong shard or a renamed manifest: exit 2 naming the file', async () => {
    const { dirs, root } = await twoShards();
    const cases: [() => string, RegExp][] = [
      [
        () => {
          const f = join(dirs[0]!, 'shard-0-of-2.json');
          writeFileSync(f, '{"format": "tcplab-shard/1", ');
          return f;
        },
        /: not valid JSON/,
      ],
      [
        () =>
          editManifest(
            dirs[0]!,
            'shard-0-of-2.json',
            (m) => {
              m.plan.runs[0]!.seed = 99;
            },
            false,
          ),
        /: plan\.hash: does not match the plan/,
      ],
      [
        () =>
          editManifest(dirs[0]!, 'shard-0-of-2.json', (m) => {
            (m['shard'] as { index: number }).index = 5;
          }),
        /: shard: expected \{index, count\}/,
      ],
      [
        () =>
          editManifest(dirs[0]!, 'shard-0-of-2.json', (m) => {
            (m.plan as unknown as Record<string, unknown>)['experiment'] = '../x';
          }),
        /: plan\.experiment: expected an experiment name/,
      ],
      [
        () =>
          editManifest(dirs[0]!, 'shard-0-of-2.json', (m) => {
            m.plan.runs[0]!.point = { a: { b: 1 } } as never;
          }),
        /: plan\.runs\[0\]\.point: expected a map of values/,
      ],
      [
        () =>
          editManifest(dirs[0]!, 'shard-0-of-2.json', (m) => {
            m.runIds = ['p9-s9'];
          }),
        /: runIds: expected ids of runs in the plan/,
      ],
    ];
    for (const [i, [make, expected]] of cases.entries()) {
      const { dirs: fresh } = i === 0 ? { dirs } : await twoShards();
      dirs.splice(0, 2, ...fresh);
      const file = make();
      const err = await mergeError(dirs, join(root, `out${i}`));
      expect(err.exitCode, String(i)).toBe(2);
      expect(err.message.startsWith(`${file}: `), err.message).toBe(true);
      expect(err.message).toMatch(expected);
      expect(existsSync(join(root, `out${i}`))).toBe(false);
    }
    expect(readdirSync(root).filter((n) => n.startsWith('out'))).toEqual([]);
  });
});
