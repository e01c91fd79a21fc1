/**
 * `tcplab`: the command line (docs/design.md part 2). It picks files, loads and validates them, runs
 * batches and prints problems; it holds no model logic.
 *
 * Exit status: 0 done; 2 bad input (one line per problem on stderr, naming file and field path,
 * nothing written); 1 internal failure (its message on stderr, no stack trace unless
 * TCPLAB_DEBUG=1). Results and `ok` lines go to stdout, problems and progress to stderr.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { formatSpecError, type SpecError } from './experiment/errors.ts';
import { loadExperiment, validateFile, type LoadedExperiment, type LoadOptions } from './experiment/load.ts';
import { runBatch } from './experiment/batch.ts';
import { BatchError } from './experiment/batch-errors.ts';
import { parseShard, type ShardSpec } from './experiment/shard.ts';
import { formatDuration } from './experiment/progress.ts';
import { mergeShards } from './experiment/merge.ts';
import { CONFIRM_BYTES, CONFIRM_WALL_SECONDS, costBytes, describeCost, estimateCost, WARN_WALL_SECONDS } from './experiment/cost.ts';
import { readSummary, reportFolder } from './report/index.ts';
import { compareSummaries, comparisonHtml, comparisonText } from './report/compare.ts';
import { writeFileAtomic } from './experiment/atomic-write.ts';
import { WorkerPool } from './experiment/pool.ts';
import { Profile, startProfile, stopProfile } from './experiment/profile.ts';
import { DEFAULT_TRACE_LIMIT, parseByteSize } from './experiment/byte-size.ts';

const EXIT_OK = 0;
const EXIT_INTERNAL = 1;
const EXIT_BAD_INPUT = 2;

/** Bad input found by the CLI itself (an option value, a missing folder): exit 2 with these lines. */
class UsageProblem extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function printProblems(errors: readonly SpecError[]): void {
  for (const e of errors) process.stderr.write(formatSpecError(e) + '\n');
}

/** Runs a command body and turns its outcome into the exit status. */
async function guarded(body: () => Promise<number> | number): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (err) {
    if (err instanceof UsageProblem) {
      for (const line of err.lines) process.stderr.write(`tcplab: ${line}\n`);
      process.exitCode = EXIT_BAD_INPUT;
    } else if (err instanceof BatchError) {
      process.stderr.write(`tcplab: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`tcplab: internal error: ${message}\n`);
      if (process.env['TCPLAB_DEBUG'] && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
      process.exitCode = EXIT_INTERNAL;
    }
  }
}

/** A whole-number option, checked here so the message names the option rather than a file field. */
function intOption(name: string, v: unknown, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    // yargs turns a non-number such as `--seed abc` into NaN.
    const got = typeof v === 'number' && Number.isNaN(v) ? 'something that is not a number' : (JSON.stringify(v) ?? String(v));
    throw new UsageProblem([`--${name}: expected a whole number ≥ ${min}, got ${got}`]);
  }
  return v;
}

function asStrings(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

// ---- validate ------------------------------------------------------------------------------

interface ValidateArgs {
  files: string[];
  set?: unknown;
}

function validateCommand(args: ValidateArgs): number {
  const options: LoadOptions = { set: asStrings(args.set) };
  let bad = false;
  for (const file of args.files) {
    const result = validateFile(file, options);
    if (result.ok) process.stdout.write(`ok ${file}\n`);
    else {
      bad = true;
      printProblems(result.errors);
    }
  }
  return bad ? EXIT_BAD_INPUT : EXIT_OK;
}

// ---- run -----------------------------------------------------------------------------------

interface RunArgs {
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

async function runCommand(args: RunArgs): Promise<number> {
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
    process.stderr.write(`tcplab: --jobs ${jobs} is more than the ${availableParallelism()} CPUs here; using ${availableParallelism()}\n`);
    jobs = availableParallelism();
  }
  let traceLimit = DEFAULT_TRACE_LIMIT;
  if (args['trace-limit'] !== undefined) {
    const limit = parseByteSize(String(args['trace-limit']));
    if (limit === undefined) optionProblems.push(`--trace-limit: expected a size such as 500MB, 2GB or 0 (no limit), got ${JSON.stringify(String(args['trace-limit']).slice(0, 60))}`);
    else traceLimit = limit;
  }
  let shard: ShardSpec | undefined;
  if (args.shard !== undefined) {
    shard = parseShard(String(args.shard)) ?? undefined;
    if (shard === undefined) optionProblems.push(`--shard: expected i/n with 0 ≤ i < n (e.g. 0/4), got ${JSON.stringify(args.shard)}`);
    // 0/1 is the whole batch: it writes a results folder, not a shard to merge.
    else if (shard.count === 1) shard = undefined;
  }
  const options: LoadOptions = { set: asStrings(args.set) };
  if (seed !== undefined) options.seed = seed;
  if (seeds !== undefined) options.seeds = seeds;

  // One set of worker threads for every experiment given, started now so that they load the model
  // while this thread reads and validates the files, and reused run after run.
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

async function runLoaded(args: RunArgs, options: LoadOptions, optionProblems: string[], setup: RunSetup): Promise<number> {
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
  const outDirs = loaded.map((l) => (args.out === undefined ? join('results', l.spec.name) : loaded.length === 1 ? args.out : join(args.out, l.spec.name)));
  const clash = outDirs.findIndex((d, i) => outDirs.indexOf(d) !== i);
  if (clash >= 0) {
    throw new UsageProblem([`${loaded[clash]!.spec.file}: name: experiment "${loaded[clash]!.spec.name}" would write to ${outDirs[clash]}, like another file given; rename one`]);
  }
  checkOutputFolders(outDirs, args.out === undefined ? 'the default results/<name>' : '--out', loaded.map((l) => l.spec.name), args.force === true);
  checkCost(loaded, args.trace === true, args.yes === true);

  const started = performance.now();
  const threads = Math.max(1, Math.min(pool.threads, loaded.reduce((n, l) => n + l.runs.length, 0)));
  for (const [i, l] of loaded.entries()) {
    const batch: Parameters<typeof runBatch>[1] = {
      outDir: outDirs[i]!, jobs: threads, pool, trace: args.trace === true, traceLimit, pcap: args.pcap === true, experiment: l.spec, rawSpec: l.raw, onAssembled: reportFolder,
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
    const took = formatDuration((performance.now() - started) / 1000);
    process.stderr.write(`done in ${took}: ${loaded.length === 1 ? `open ${pages[0]}` : `open the pages:\n${pages.map((p) => `  ${p}`).join('\n')}`}\n`);
  }
  return EXIT_OK;
}

/** "results/x/: index.html, 5 figures (*.svg), summary.json, …" from what the folder holds. */
function describeResults(dir: string): string {
  const names = readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
  const svgs = names.filter((n) => n.endsWith('.svg')).length;
  const pcaps = names.filter((n) => n.endsWith('.pcap')).length + (names.includes('pcap') ? 1 : 0);
  const others = names.filter((n) => !n.endsWith('.svg') && !n.endsWith('.pcap') && n !== 'index.html' && n !== 'pcap');
  const parts = [names.includes('index.html') ? 'index.html' : undefined, svgs > 0 ? `${svgs} figure${svgs === 1 ? '' : 's'} (*.svg)` : undefined, ...others, pcaps > 0 ? 'pcap captures' : undefined];
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
    if (!yes && (c.wallSeconds > CONFIRM_WALL_SECONDS || costBytes(c) > CONFIRM_BYTES)) refuse.push(`${line}; pass --yes to run it anyway`);
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
  return readdirSync(dir).some((name) => name === '.runs' || name === 'summary.json' || /^shard-\d+-of-\d+\.json$/.test(name));
}

/**
 * Output folders must be new, empty or tcplab's own: assembling results replaces its files there
 * and removes stale captures (*.pcap) and figures (NN-*.svg), which in a folder of the user's
 * would delete their files.
 */
function checkOutputFolders(dirs: readonly string[], option: string, experiments?: readonly string[], force = false): void {
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
      if (other !== undefined && other !== mine) problems.push(`${dir}: holds the results of experiment ${JSON.stringify(other)}, not ${JSON.stringify(mine)}; give another folder, or --force to replace them (${option})`);
    }
  }
  if (problems.length > 0) throw new UsageProblem(problems);
}

// ---- report, drill, merge ------------------------------------------------------------------

function requireFolder(dir: string, what: string): void {
  if (!existsSync(dir)) throw new UsageProblem([`${dir}: no such folder (${what})`]);
  if (!statSync(dir).isDirectory()) throw new UsageProblem([`${dir}: a file, not a folder (${what})`]);
}

async function reportCommand(args: { dir: string }): Promise<number> {
  requireFolder(args.dir, 'expected a results folder written by tcplab run');
  // The report draws what it can from a damaged folder, but without a readable summary.json this
  // is not tcplab's output: refuse before writing figures into it.
  const { problem } = await readSummary(args.dir);
  if (problem !== undefined) throw new UsageProblem([`${args.dir}: not a results folder: ${problem}`]);
  // Figures come from the spec stored in summary.json (as run), not from the experiment file,
  // which may have changed since: say so, then what was written.
  process.stderr.write(`tcplab: redrawing from ${join(args.dir, 'summary.json')} (the spec as run; edits to the experiment file need tcplab run)\n`);
  const { figures } = await reportFolder(args.dir);
  for (const f of figures) process.stdout.write(`wrote ${f}\n`);
  process.stdout.write(`wrote ${join(args.dir, 'index.html')}\n`);
  return EXIT_OK;
}

async function compareCommand(args: { dirA: string; dirB: string; out?: string; all?: boolean }): Promise<number> {
  const sides = [];
  for (const dir of [args.dirA, args.dirB]) {
    requireFolder(dir, 'expected a results folder written by tcplab run');
    const { summary, problem } = await readSummary(dir);
    if (summary === null || problem !== undefined) throw new UsageProblem([`${dir}: not a results folder: ${problem ?? 'no summary'}`]);
    sides.push({ dir, summary });
  }
  const c = compareSummaries(sides[0]!, sides[1]!);
  process.stdout.write(comparisonText(c, args.all === true));
  const name = `compare-${basename(resolve(args.dirA))}-vs-${basename(resolve(args.dirB))}.html`;
  const file = args.out !== undefined ? join(args.out, 'compare.html') : join(dirname(resolve(args.dirB)), name);
  if (args.out !== undefined) mkdirSync(args.out, { recursive: true });
  await writeFileAtomic(file, comparisonHtml(c));
  process.stderr.write(`tcplab: wrote ${file}\n`);
  return EXIT_OK;
}

async function drillCommand(args: { paths: string[] }): Promise<number> {
  // Loaded on demand: the packetdrill runner is large and only this command needs it.
  const { runDrill } = await import('./drill/command.ts');
  return runDrill(args.paths, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(`tcplab: ${s}`) });
}

async function mergeCommand(args: { dirs: string[]; out: string }): Promise<number> {
  for (const d of args.dirs) requireFolder(d, 'expected a shard folder written by tcplab run --shard');
  checkOutputFolders([args.out], '--out');
  await mergeShards(args.dirs, args.out, { onAssembled: reportFolder });
  process.stdout.write(`results ${args.out}\n`);
  return EXIT_OK;
}

// ---- the parser ----------------------------------------------------------------------------

const RUN_EPILOG = [
  'Each finished run is stored at once in <out>/.runs/; the same command run again resumes,',
  'skipping every run already stored. Ctrl-C lets the runs in flight finish and exits 130; a',
  'second Ctrl-C, or SIGTERM (exit 143), abandons them within a second. Exit status: 0 done,',
  '2 bad input (nothing written), 1 internal failure.',
].join('\n');

const setOption = {
  type: 'string',
  array: true,
  requiresArg: true,
  describe: 'override a parameter before validation: path=value (e.g. tcp.backlog=1024, apps.flood.rate=500/s, topology.links.0.latency=50ms); repeatable',
} as const;

export async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('tcplab')
    .usage('$0 <command> [options]\n\nDiscrete-event network emulator for TCP connection set-up and tear-down experiments.')
    .command(
      'validate <files...>',
      'check topology and experiment files and print every problem',
      (y) =>
        y
          .positional('files', { type: 'string', array: true, demandOption: true, default: undefined, describe: 'topology or experiment YAML files' })
          .option('set', { ...setOption, describe: `${setOption.describe}; applies to every experiment given` })
          .epilog('Exit status: 0 when every file is valid, 2 otherwise (one line per problem on stderr: file, field path, problem).'),
      (a) => guarded(() => validateCommand(a as unknown as ValidateArgs)),
    )
    .command(
      'run <files...>',
      'run experiments (every sweep point × seed) and write their results folders',
      (y) =>
        y
          .positional('files', { type: 'string', array: true, demandOption: true, default: undefined, describe: 'experiment YAML files' })
          .option('out', { type: 'string', requiresArg: true, describe: 'results folder (default results/<name>; with several files, <out>/<name>)' })
          .option('set', setOption)
          .option('seed', { type: 'number', requiresArg: true, describe: 'first seed (overrides the file)' })
          .option('seeds', { type: 'number', requiresArg: true, describe: 'replicates per sweep point (overrides the file)' })
          .option('jobs', { type: 'number', requiresArg: true, describe: 'runs at a time, each on a worker thread (default and at most: one per CPU)' })
          .option('trace', { type: 'boolean', describe: 'write trace.jsonl' })
          .option('trace-limit', { type: 'string', requiresArg: true, describe: 'stop each run\'s trace at this size with a warning, e.g. 500MB, 2GB; 0 = no limit (default 1GB)' })
          .option('profile', { type: 'boolean', describe: 'print where the time went: parse, validate, expand, build, simulate, collect, store, write, figures' })
          .option('pcap', { type: 'boolean', describe: 'write <node>.pcap captures' })
          .option('shard', { type: 'string', requiresArg: true, describe: 'run only shard i of n (i/n, 0 ≤ i < n); join shards with tcplab merge' })
          .option('force', { type: 'boolean', describe: 'replace the results of another experiment in the --out folder' })
          .option('yes', { type: 'boolean', describe: 'run even when the estimate says the batch takes over an hour or writes over 20 GB' })
          .epilog(RUN_EPILOG),
      (a) => guarded(() => runCommand(a as unknown as RunArgs)),
    )
    .command(
      'report <dir>',
      'redraw figures and the HTML page from a results folder',
      (y) => y.positional('dir', { type: 'string', demandOption: true, describe: 'a results folder written by tcplab run (holds summary.json)' }),
      (a) => guarded(() => reportCommand(a as unknown as { dir: string })),
    )
    .command(
      'compare <dirA> <dirB>',
      'compare two results folders: metrics side by side, the difference, and whether it is beyond the seeds\' spread',
      (y) =>
        y
          .positional('dirA', { type: 'string', demandOption: true, describe: 'results folder A (the baseline)' })
          .positional('dirB', { type: 'string', demandOption: true, describe: 'results folder B (compared with A)' })
          .option('out', { type: 'string', requiresArg: true, describe: 'folder for compare.html (default: compare-<A>-vs-<B>.html beside B)' })
          .option('all', { type: 'boolean', describe: 'list every metric on stdout, not only those that differ (the page lists all)' })
          .epilog("Points are matched by their sweep values. Beyond the spread = Welch's two-sided t-test on the per-seed values, p < 0.05 (2 or more seeds per side). Exit status: 0 done, 2 bad input."),
      (a) => guarded(() => compareCommand(a as unknown as { dirA: string; dirB: string; out?: string; all?: boolean })),
    )
    .command(
      'drill <paths...>',
      'run packetdrill scripts (files or folders) against the TCP engine',
      (y) =>
        y
          .positional('paths', { type: 'string', array: true, demandOption: true, default: undefined, describe: '.pkt scripts, or folders searched for them recursively' })
          .epilog('Prints PASS, FAIL or SKIP per script, then the totals. Exit status: 0 when none failed, 1 when one failed, 2 when a path does not exist or holds no script.'),
      (a) => guarded(() => drillCommand(a as unknown as { paths: string[] })),
    )
    .command(
      'merge <dirs...>',
      'join shard folders (from run --shard) into one results folder',
      (y) =>
        y
          .positional('dirs', { type: 'string', array: true, demandOption: true, default: undefined, describe: 'shard folders written by tcplab run --shard i/n, one per shard' })
          .option('out', { type: 'string', requiresArg: true, demandOption: true, describe: 'the merged results folder' }),
      (a) => guarded(() => mergeCommand(a as unknown as { dirs: string[]; out: string })),
    )
    .example('$0 validate topologies/*.yaml experiments/*.yaml', 'check files without running anything')
    .example('$0 run experiments/syn-flood.yaml --set tcp.synQueuePruning=false --seeds 5', 'run with an override')
    .example('$0 compare results/syn-flood /tmp/sf', 'two results folders side by side')
    .demandCommand(1, 'name a command: validate, run, report, compare, drill or merge')
    .strict()
    .version(version())
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      // Usage errors (unknown option, missing argument): one line, exit 2. Handler errors never get
      // here (guarded catches them).
      if (err) throw err;
      process.stderr.write(`tcplab: ${msg}\nRun "tcplab --help" for usage.\n`);
      process.exit(EXIT_BAD_INPUT);
    })
    .parseAsync();
}

await main(hideBin(process.argv)).catch((err: unknown) => {
  process.stderr.write(`tcplab: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = EXIT_INTERNAL;
});
