/**
 * `tcplab run`: options, loading every file before running any, the output-folder and cost checks,
 * then one batch per experiment on one pool of worker threads (docs/batch.md).
 */
import { existsSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { asStrings, EXIT_BAD_INPUT, EXIT_OK, intOption, printProblems, UsageProblem } from './cli-common.ts';
import { runBatch } from './experiment/batch.ts';
import { DEFAULT_TRACE_LIMIT, parseByteSize } from './experiment/byte-size.ts';
import {
  CONFIRM_BYTES,
  CONFIRM_WALL_SECONDS,
  costBytes,
  describeCost,
  estimateCost,
  WARN_WALL_SECONDS,
} from './experiment/cost.ts';
import type { SpecError } from './experiment/errors.ts';
import { loadExperiment, type LoadedExperiment, type LoadOptions } from './experiment/load.ts';
import { WorkerPool } from './experiment/pool.ts';
import { Profile, startProfile, stopProfile } from './experiment/profile.ts';
import { formatWallTime } from './experiment/progress.ts';
import { parseShard, type ShardSpec } from './experiment/shard.ts';

export interface RunArgs {
  files: string[];
  out?: string;
  set?: unknown;
  seed?: unknown;
  seeds?: unknown;
  jobs?: unknown;
  trace?: boolean;
  'trace-limit'?: string;
  pcap?: boolean;
  shard?: string;
  yes?: boolean;
  force?: boolean;
  profile?: boolean;
}

export async function runCommand(args: RunArgs): Promise<number> {
  const profile = args.profile === true ? new Profile() : undefined;
  if (profile !== undefined) {
    // performance.now() counts from the process's start: Node, and the modules loaded so far.
    profile.add('startup', performance.now());
    startProfile(profile);
  }
  try {
    return await runCommandProfiled(args, profile);
  } finally {
    stopProfile();
  }
}

async function runCommandProfiled(args: RunArgs, profile: Profile | undefined): Promise<number> {
  // Option problems and file problems are reported together, like problems within a file.
  const optionProblems: string[] = [];
  const option = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof UsageProblem)) throw err;
      optionProblems.push(...err.lines);
      return undefined;
    }
  };
  const seed = option(() => intOption('seed', args.seed, 0));
  const seeds = option(() => intOption('seeds', args.seeds, 1));
  let jobs = option(() => intOption('jobs', args.jobs, 0)) ?? 0;
  // More worker threads than CPUs only adds memory and switching; results do not depend on it.
  if (jobs > availableParallelism()) {
    process.stderr.write(
      `tcplab: --jobs ${jobs} is more than the ${availableParallelism()} CPUs here; using ${availableParallelism()}\n`,
    );
    jobs = availableParallelism();
  }
  let traceLimit = DEFAULT_TRACE_LIMIT;
  if (args['trace-limit'] !== undefined) {
    const limit = parseByteSize(String(args['trace-limit']));
    if (limit === undefined)
      optionProblems.push(
        `--trace-limit: expected a size such as 500MB, 2GB or 0 (no limit), got ${JSON.stringify(String(args['trace-limit']).slice(0, 60))}`,
      );
    else traceLimit = limit;
  }
  let shard: ShardSpec | undefined;
  if (args.shard !== undefined) {
    shard = parseShard(String(args.shard)) ?? undefined;
    if (shard === undefined)
      optionProblems.push(`--shard: expected i/n with 0 ≤ i < n (e.g. 0/4), got ${JSON.stringify(args.shard)}`);
    // 0/1 is the whole batch: it writes a results folder, not a shard to merge.
    else if (shard.count === 1) shard = undefined;
  }
  const options: LoadOptions = { set: asStrings(args.set) };
  if (seed !== undefined) options.seed = seed;
  if (seeds !== undefined) options.seeds = seeds;

  // One set of worker threads for every experiment given, reused run after run. Its threads start
  // only when a run is handed to them: a batch running one run at a time runs on this thread.
  const pool = optionProblems.length === 0 ? new WorkerPool(jobs >= 1 ? jobs : availableParallelism()) : undefined;
  try {
    return await runLoaded(args, options, optionProblems, { jobs, shard, traceLimit, profile, pool });
  } finally {
    await pool?.destroy();
  }
}

interface RunSetup {
  jobs: number;
  shard: ShardSpec | undefined;
  traceLimit: number;
  profile: Profile | undefined;
  pool: WorkerPool | undefined;
}

async function runLoaded(
  args: RunArgs,
  options: LoadOptions,
  optionProblems: string[],
  setup: RunSetup,
): Promise<number> {
  const { shard, traceLimit, profile } = setup;
  // Validate every file before running any, so bad input writes nothing.
  const loaded: LoadedExperiment[] = [];
  const errors: SpecError[] = [];
  for (const file of args.files) {
    const r = loadExperiment(file, options);
    if (r.ok) loaded.push(r.value);
    else errors.push(...r.errors);
  }
  if (errors.length > 0 || optionProblems.length > 0) {
    for (const line of optionProblems) process.stderr.write(`tcplab: ${line}\n`);
    printProblems(errors);
    return EXIT_BAD_INPUT;
  }
  const pool = setup.pool!; // started whenever the options were good
  await pool.sizeFor(largestWorld(loaded));
  const outDirs = loaded.map((l) =>
    args.out === undefined
      ? join('results', l.spec.name)
      : loaded.length === 1
        ? args.out
        : join(args.out, l.spec.name),
  );
  const clash = outDirs.findIndex((d, i) => outDirs.indexOf(d) !== i);
  if (clash >= 0) {
    throw new UsageProblem([
      `${loaded[clash]!.spec.file}: name: experiment "${loaded[clash]!.spec.name}" would write to ${outDirs[clash]}, like another file given; rename one`,
    ]);
  }
  checkOutputFolders(
    outDirs,
    args.out === undefined ? 'the default results/<name>' : '--out',
    loaded.map((l) => l.spec.name),
    args.force === true,
  );
  checkCost(loaded, args.trace === true, args.yes === true);

  const threads = Math.max(
    1,
    Math.min(
      pool.threads,
      loaded.reduce((n, l) => n + l.runs.length, 0),
    ),
  );
  const traced = args.trace === true || loaded.some((l) => l.spec.trace);
  // The report (d3 and the figure code) loads while the runs simulate on worker threads. Runs that
  // share this thread's heap (pool.oneAtATimeHere) load it after them, so its modules are not in
  // that heap at the run's peak (star-10k: 139-147 MB instead of 143-151, in turns, same wall
  // time), unless the trace explorer is wanted, whose script esbuild bundles once per process
  // (~0.2 s) while the runs simulate. A shard draws nothing and loads none of it.
  const loadReport = (): Promise<typeof import('./report/index.ts')> => import('./report/index.ts');
  const early = shard === undefined && (traced || !pool.oneAtATimeHere(threads)) ? loadReport() : undefined;
  early?.catch(() => undefined); // a failed load surfaces where it is awaited, not as an unhandled rejection
  if (traced) early?.then((r) => r.explorerScript()).catch(() => undefined);
  const onAssembled =
    shard !== undefined
      ? undefined
      : async (dir: string): Promise<unknown> => (await (early ?? loadReport())).reportFolder(dir);
  const started = performance.now();
  for (const [i, l] of loaded.entries()) {
    const batch: Parameters<typeof runBatch>[1] = {
      outDir: outDirs[i]!,
      jobs: threads,
      pool,
      lastOnPool: i === loaded.length - 1,
      trace: args.trace === true,
      traceLimit,
      pcap: args.pcap === true,
      experiment: l.spec,
      rawSpec: l.raw,
      ...(onAssembled ? { onAssembled } : {}),
    };
    if (shard !== undefined) batch.shard = shard;
    if (profile !== undefined) batch.profile = profile;
    await runBatch(l.runs, batch);
    // A shard folder holds stored runs, not results: say which, so scripts collect the right ones.
    process.stdout.write(`${shard === undefined ? 'results' : 'shard'} ${outDirs[i]}\n`);
    if (shard === undefined) process.stderr.write(`${l.spec.name}: wrote ${describeResults(outDirs[i]!)}\n`);
  }
  if (profile !== undefined) process.stderr.write(profile.format(performance.now(), threads));
  if (shard === undefined) {
    const pages = outDirs.map((d) => join(d, 'index.html'));
    const took = formatWallTime((performance.now() - started) / 1000);
    process.stderr.write(
      `done in ${took}: ${loaded.length === 1 ? `open ${pages[0]}` : `open the pages:\n${pages.map((p) => `  ${p}`).join('\n')}`}\n`,
    );
  }
  return EXIT_OK;
}

/** "results/x/: index.html, 5 figures (*.svg), summary.json, …" from what the folder holds. */
function describeResults(dir: string): string {
  const names = readdirSync(dir)
    .filter((n) => !n.startsWith('.'))
    .sort();
  const svgs = names.filter((n) => n.endsWith('.svg')).length;
  const pcaps = names.filter((n) => n.endsWith('.pcap')).length + (names.includes('pcap') ? 1 : 0);
  const others = names.filter((n) => !n.endsWith('.svg') && !n.endsWith('.pcap') && n !== 'index.html' && n !== 'pcap');
  const parts = [
    names.includes('index.html') ? 'index.html' : undefined,
    svgs > 0 ? `${svgs} figure${svgs === 1 ? '' : 's'} (*.svg)` : undefined,
    ...others,
    pcaps > 0 ? 'pcap captures' : undefined,
  ];
  return `${join(dir, '/')} (${parts.filter((p) => p !== undefined).join(', ')})`;
}

/**
 * Before a batch that would take hours or fill a disk, say so and stop unless --yes; before one
 * that takes minutes, print the estimate (issue 13: `duration: 2000h` used to just start).
 */
function checkCost(loaded: readonly LoadedExperiment[], trace: boolean, yes: boolean): void {
  const refuse: string[] = [];
  for (const l of loaded) {
    const c = estimateCost(l.runs, trace);
    const line = `${l.spec.file}: ${describeCost(c)}`;
    if (!yes && (c.wallSeconds > CONFIRM_WALL_SECONDS || costBytes(c) > CONFIRM_BYTES))
      refuse.push(`${line}; pass --yes to run it anyway`);
    else if (c.wallSeconds > WARN_WALL_SECONDS) process.stderr.write(`tcplab: ${line}\n`);
  }
  if (refuse.length > 0) throw new UsageProblem(refuse);
}

/**
 * Why a folder that does not exist could not be made, or undefined: its nearest existing
 * ancestor must be a folder on a file system that holds files (not /proc or /sys).
 */
function creatable(dir: string): string | undefined {
  let d = resolve(dir);
  while (!existsSync(d)) d = dirname(d);
  if (!statSync(d).isDirectory()) return `${d} is a file, not a folder`;
  const type = statfsSync(d).type;
  if (type === PROC_SUPER_MAGIC || type === SYSFS_MAGIC) return `${d} is in a kernel file system (/proc, /sys)`;
  return undefined;
}
/** statfs(2) f_type of procfs and sysfs (linux/magic.h). */
const PROC_SUPER_MAGIC = 0x9fa0;
const SYSFS_MAGIC = 0x62656572;

/** The experiment whose results a folder holds (summary.json's `experiment`), if readable. */
function storedExperiment(dir: string): string | undefined {
  try {
    const info = statSync(join(dir, 'summary.json'));
    if (!info.isFile() || info.size > 512 * 1024 * 1024) return undefined;
    const name = (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { experiment?: unknown }).experiment;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** What marks a folder as tcplab's own: a run store, a results summary or a shard manifest. */
function isTcplabFolder(dir: string): boolean {
  return readdirSync(dir).some(
    (name) => name === '.runs' || name === 'summary.json' || /^shard-\d+-of-\d+\.json$/.test(name),
  );
}

/**
 * Output folders must be new, empty or tcplab's own: assembling results replaces its files there
 * and removes stale captures (*.pcap) and figures (NN-*.svg), which in a folder of the user's
 * would delete their files.
 */
export function checkOutputFolders(
  dirs: readonly string[],
  option: string,
  experiments?: readonly string[],
  force = false,
): void {
  const problems: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) {
      const why = creatable(dir);
      if (why !== undefined) problems.push(`${dir}: cannot be created: ${why} (${option})`);
      continue;
    }
    if (!statSync(dir).isDirectory()) problems.push(`${dir}: a file, not a folder (${option})`);
    else if (readdirSync(dir).length > 0 && !isTcplabFolder(dir)) {
      problems.push(`${dir}: holds other files and no tcplab results; give a new or empty folder (${option})`);
    } else if (experiments !== undefined && !force) {
      // Results of another experiment would be replaced without a word (issue 13).
      const other = storedExperiment(dir);
      const mine = experiments[dirs.indexOf(dir)];
      if (other !== undefined && other !== mine)
        problems.push(
          `${dir}: holds the results of experiment ${JSON.stringify(other)}, not ${JSON.stringify(mine)}; give another folder, or --force to replace them (${option})`,
        );
    }
  }
  if (problems.length > 0) throw new UsageProblem(problems);
}

/** The most nodes any run of the experiments builds. */
function largestWorld(loaded: readonly LoadedExperiment[]): number {
  let nodes = 0;
  for (const l of loaded) for (const r of l.runs) nodes = Math.max(nodes, r.spec.topology.nodes.length);
  return nodes;
}
