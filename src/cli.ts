/**
 * `tcplab`: the command line (docs/design.md part 2). It picks files, loads and validates them, runs
 * batches and prints problems; it holds no model logic.
 *
 * Exit status: 0 done; 2 bad input (one line per problem on stderr, naming file and field path,
 * nothing written); 1 internal failure (its message on stderr, no stack trace unless
 * TCPLAB_DEBUG=1). Results and `ok` lines go to stdout, problems and progress to stderr.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { asStrings, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, printProblems, UsageProblem } from './cli-common.ts';
import { checkOutputFolders, runCommand, type RunArgs } from './cli-run.ts';
import { serveCommand } from './cli-serve.ts';
import { validateFile, type LoadOptions } from './experiment/load.ts';
import { BatchError } from './experiment/batch-errors.ts';
import { writeFileAtomic } from './experiment/atomic-write.ts';
import { commandThreadData } from './experiment/stop-signals.ts';
import { adoptTerminal } from './command-thread.ts';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
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

// ---- report, drill, merge ------------------------------------------------------------------

function requireFolder(dir: string, what: string): void {
  if (!existsSync(dir)) throw new UsageProblem([`${dir}: no such folder (${what})`]);
  if (!statSync(dir).isDirectory()) throw new UsageProblem([`${dir}: a file, not a folder (${what})`]);
}

async function reportCommand(args: { dir: string }): Promise<number> {
  requireFolder(args.dir, 'expected a results folder written by tcplab run');
  // Loaded on demand, like every module only some commands need: start-up of `tcplab run` pays
  // for yargs and the spec loader, not for d3.
  const { folderSource, readSummary, reportFolder } = await import('./report/index.ts');
  // The report draws what it can from a damaged folder, but without a readable summary.json this
  // is not tcplab's output: refuse before writing figures into it.
  const { problem } = await readSummary(folderSource(args.dir));
  if (problem !== undefined) throw new UsageProblem([`${args.dir}: not a results folder: ${problem}`]);
  // Figures come from the spec stored in summary.json (as run), not from the experiment file,
  // which may have changed since: say so, then what was written.
  process.stderr.write(
    `tcplab: redrawing from ${join(args.dir, 'summary.json')} (the spec as run; edits to the experiment file need tcplab run)\n`,
  );
  const { figures } = await reportFolder(args.dir);
  for (const f of figures) process.stdout.write(`wrote ${f}\n`);
  process.stdout.write(`wrote ${join(args.dir, 'index.html')}\n`);
  return EXIT_OK;
}

async function compareCommand(args: { dirA: string; dirB: string; out?: string; all?: boolean }): Promise<number> {
  const { folderSource, readSummary } = await import('./report/index.ts');
  const { compareSummaries, comparisonHtml, comparisonText } = await import('./report/compare.ts');
  const sides = [];
  for (const dir of [args.dirA, args.dirB]) {
    requireFolder(dir, 'expected a results folder written by tcplab run');
    const { summary, problem } = await readSummary(folderSource(dir));
    if (summary === null || problem !== undefined)
      throw new UsageProblem([`${dir}: not a results folder: ${problem ?? 'no summary'}`]);
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
  return runDrill(args.paths, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(`tcplab: ${s}`),
  });
}

async function mergeCommand(args: { dirs: string[]; out: string }): Promise<number> {
  for (const d of args.dirs) requireFolder(d, 'expected a shard folder written by tcplab run --shard');
  checkOutputFolders([args.out], '--out');
  const { mergeShards } = await import('./experiment/merge.ts');
  const { reportFolder } = await import('./report/index.ts');
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
  describe:
    'override a parameter before validation: path=value (e.g. tcp.backlog=1024, apps.flood.rate=500/s, topology.links.0.latency=50ms); repeatable',
} as const;

export async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('tcplab')
    .usage(
      '$0 <command> [options]\n\nDiscrete-event network emulator for TCP connection set-up and tear-down experiments.',
    )
    .command(
      'validate <files...>',
      'check topology and experiment files and print every problem',
      (y) =>
        y
          .positional('files', {
            type: 'string',
            array: true,
            demandOption: true,
            default: undefined,
            describe: 'topology or experiment YAML files',
          })
          .option('set', { ...setOption, describe: `${setOption.describe}; applies to every experiment given` })
          .epilog(
            'Exit status: 0 when every file is valid, 2 otherwise (one line per problem on stderr: file, field path, problem).',
          ),
      (a) => guarded(() => validateCommand(a as unknown as ValidateArgs)),
    )
    .command(
      'run <files...>',
      'run experiments (every sweep point × seed) and write their results folders',
      (y) =>
        y
          .positional('files', {
            type: 'string',
            array: true,
            demandOption: true,
            default: undefined,
            describe: 'experiment YAML files',
          })
          .option('out', {
            type: 'string',
            requiresArg: true,
            describe: 'results folder (default results/<name>; with several files, <out>/<name>)',
          })
          .option('set', setOption)
          .option('seed', { type: 'number', requiresArg: true, describe: 'first seed (overrides the file)' })
          .option('seeds', {
            type: 'number',
            requiresArg: true,
            describe: 'replicates per sweep point (overrides the file)',
          })
          .option('jobs', {
            type: 'number',
            requiresArg: true,
            describe: 'runs at a time, each on a worker thread (default and at most: one per CPU)',
          })
          .option('trace', { type: 'boolean', describe: 'write trace.jsonl' })
          .option('trace-limit', {
            type: 'string',
            requiresArg: true,
            describe:
              "stop each run's trace and captures (together) at this size with a warning, e.g. 500MB, 2GB; 0 = no limit (default 1GB)",
          })
          .option('profile', {
            type: 'boolean',
            describe:
              'print where the time went: parse, validate, expand, build, simulate, collect, store, write, figures',
          })
          .option('pcap', { type: 'boolean', describe: 'write <node>.pcap captures' })
          .option('shard', {
            type: 'string',
            requiresArg: true,
            describe: 'run only shard i of n (i/n, 0 ≤ i < n); join shards with tcplab merge',
          })
          .option('force', {
            type: 'boolean',
            describe: 'replace the results of another experiment in the --out folder',
          })
          .option('yes', {
            type: 'boolean',
            describe: 'run even when the estimate says the batch takes over an hour or writes over 20 GB',
          })
          .epilog(RUN_EPILOG),
      (a) => guarded(() => runCommand(a as unknown as RunArgs)),
    )
    .command(
      'report <dir>',
      'redraw figures and the HTML page from a results folder',
      (y) =>
        y.positional('dir', {
          type: 'string',
          demandOption: true,
          describe: 'a results folder written by tcplab run (holds summary.json)',
        }),
      (a) => guarded(() => reportCommand(a as unknown as { dir: string })),
    )
    .command(
      'compare <dirA> <dirB>',
      "compare two results folders: metrics side by side, the difference, and whether it is beyond the seeds' spread",
      (y) =>
        y
          .positional('dirA', { type: 'string', demandOption: true, describe: 'results folder A (the baseline)' })
          .positional('dirB', { type: 'string', demandOption: true, describe: 'results folder B (compared with A)' })
          .option('out', {
            type: 'string',
            requiresArg: true,
            describe: 'folder for compare.html (default: compare-<A>-vs-<B>.html beside B)',
          })
          .option('all', {
            type: 'boolean',
            describe: 'list every metric on stdout, not only those that differ (the page lists all)',
          })
          .epilog(
            "Points are matched by their sweep values. Beyond the spread = Welch's two-sided t-test on the per-seed values, p < 0.05 (2 or more seeds per side). Exit status: 0 done, 2 bad input.",
          ),
      (a) => guarded(() => compareCommand(a as unknown as { dirA: string; dirB: string; out?: string; all?: boolean })),
    )
    .command(
      'drill <paths...>',
      'run packetdrill scripts (files or folders) against the TCP engine',
      (y) =>
        y
          .positional('paths', {
            type: 'string',
            array: true,
            demandOption: true,
            default: undefined,
            describe: '.pkt scripts, or folders searched for them recursively',
          })
          .epilog(
            'Prints PASS, FAIL or SKIP per script, then the totals. Exit status: 0 when none failed, 1 when one failed, 2 when a path does not exist or holds no script.',
          ),
      (a) => guarded(() => drillCommand(a as unknown as { paths: string[] })),
    )
    .command(
      'merge <dirs...>',
      'join shard folders (from run --shard) into one results folder',
      (y) =>
        y
          .positional('dirs', {
            type: 'string',
            array: true,
            demandOption: true,
            default: undefined,
            describe: 'shard folders written by tcplab run --shard i/n, one per shard',
          })
          .option('out', {
            type: 'string',
            requiresArg: true,
            demandOption: true,
            describe: 'the merged results folder',
          }),
      (a) => guarded(() => mergeCommand(a as unknown as { dirs: string[]; out: string })),
    )
    .command(
      'serve [dir]',
      'serve the browser playground (built by npm run web) or a results folder over http',
      (y) =>
        y
          .positional('dir', { type: 'string', describe: 'folder to serve (default: the playground, web/dist)' })
          .option('port', { type: 'number', requiresArg: true, describe: 'port (default 8080; 0 = any free port)' })
          .option('host', { type: 'string', requiresArg: true, describe: 'address to listen on (default 127.0.0.1)' }),
      (a) => guarded(() => serveCommand(a as unknown as { dir?: string; port?: number; host?: string })),
    )
    .example('$0 validate topologies/*.yaml experiments/*.yaml', 'check files without running anything')
    .example('$0 run experiments/syn-flood.yaml --set tcp.synQueuePruning=false --seeds 5', 'run with an override')
    .example('$0 compare results/syn-flood /tmp/sf', 'two results folders side by side')
    .demandCommand(1, 'name a command: validate, run, report, compare, drill, merge or serve')
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

// On the command thread (src/command-thread.ts) stdout and stderr are pipes to the main thread.
const commandThread = commandThreadData();
if (commandThread !== undefined) adoptTerminal(commandThread.terminal);
await main(hideBin(process.argv)).catch((err: unknown) => {
  process.stderr.write(`tcplab: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = EXIT_INTERNAL;
});
