/**
 * `tcplab run` from the compiled build runs its whole command (loading, the runs, writing the
 * results) on one worker thread, the command thread, while the main thread only starts it,
 * forwards signals and passes on its exit code (issue 14).
 *
 * Why a thread: a V8 heap's young generation can be sized only where the heap is made. The main
 * thread's is sized when Node starts (16 MB semi-spaces, filled by loading alone and then held
 * for the whole process), a worker thread's by whoever starts it. On the command thread the
 * command gets one heap sized for it, and a batch that runs one run at a time runs it there too
 * (src/experiment/pool.ts): one heap for everything, beside a main thread that allocates nothing.
 * star-10k: 139–147 MB at peak instead of 175–192 MB, in the same wall time (bench/README.md,
 * ninth pass).
 *
 * Signals (src/experiment/stop-signals.ts): while the command handles them (a batch in progress)
 * they are forwarded; otherwise they end the process as they would a program with no handler. A
 * command that has not stopped 2 s after a second Ctrl-C or a SIGTERM (a run stuck inside one
 * event) is terminated, so a signal always ends `tcplab run` (issue 13).
 */
import { Worker } from 'node:worker_threads';
import {
  SIGNAL_EXIT,
  type CommandThreadData,
  type CommandThreadMessage,
  type StopSignal,
} from './experiment/stop-signals.ts';

/**
 * The command thread's young generation (V8 splits it into two semi-spaces and a large-object
 * space). Peak RSS of star-10k by this size (2026-12-04, four to nine runs each, in turns): 6 MB
 * 161–162 MB; 12 MB 147–153; 16 MB 144–150; 20 MB 143–151; 24 MB 142–151; 32 MB 156–167; 40 MB
 * 157–168; V8's default 152–158. The wall time is the same at each (1.34–1.55 s).
 */
const COMMAND_YOUNG_MB = 20;

/** How long a command may take to stop after the signal that abandons its runs. */
const STOP_GRACE_MS = 2000;

/**
 * Shows the cursor and turns line wrapping back on: the progress bar hides one and turns off the
 * other, and a command ended from outside cannot restore them.
 */
const RESTORE_TERMINAL = '\x1b[?25h\x1b[?7h';

/** Writes the main thread's last word on a command it ended, the terminal restored first. */
function lastWord(text: string): void {
  process.stderr.write(`${process.stderr.isTTY ? RESTORE_TERMINAL : ''}tcplab: ${text}\n`);
}

/** Runs the CLI module at `cli` with `args` on a command thread; the process exits as the command does. */
export function runOnCommandThread(cli: URL, args: string[]): void {
  const terminal: CommandThreadData['terminal'] = {};
  if (process.stdout.isTTY) terminal.stdout = process.stdout.columns;
  if (process.stderr.isTTY) terminal.stderr = process.stderr.columns;
  const data: CommandThreadData = { commandThread: true, terminal };
  const thread = new Worker(cli, {
    argv: args,
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: COMMAND_YOUNG_MB },
  });

  let handled = false;
  let stopping: NodeJS.Timeout | undefined;
  let first: StopSignal | undefined;
  let interrupts = 0;
  const killedBy = (signal: StopSignal): void => {
    // Nothing listens: end as a process without a handler does, killed by the signal.
    stopListening();
    void thread.terminate().then(() => process.kill(process.pid, signal));
  };
  thread.on('message', (m: CommandThreadMessage) => {
    if ('signals' in m) handled = m.signals === 'handled';
    else if ('unhandled' in m) killedBy(m.unhandled);
  });
  const onSignal = (signal: StopSignal): void => {
    if (!handled) return killedBy(signal);
    thread.postMessage({ signal } satisfies CommandThreadMessage);
    first ??= signal;
    if (signal === 'SIGINT' && ++interrupts < 2) return;
    // The batch exits with the status of the first signal it heard; so does this, if it must end it.
    const status = SIGNAL_EXIT[first];
    stopping ??= setTimeout(() => {
      lastWord(`the command did not stop within ${STOP_GRACE_MS / 1000} s of ${signal}; ended it`);
      void thread.terminate().then(() => process.exit(status));
    }, STOP_GRACE_MS);
  };
  const stopListening = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  thread.on('error', (e: Error) => {
    // The CLI reports its own failures; what reaches here is the thread itself failing (out of memory).
    lastWord(`internal error: ${e.message}`);
    process.exitCode = 1;
  });
  thread.on('exit', (code) => {
    stopListening();
    clearTimeout(stopping);
    process.exitCode ||= code;
  });
}

/**
 * On the command thread: stdout and stderr are pipes to the main thread, which writes them to the
 * process's own; where those are terminals, say so, so the progress bar and help text use them.
 */
export function adoptTerminal(terminal: CommandThreadData['terminal']): void {
  if (terminal.stdout !== undefined) Object.assign(process.stdout, { isTTY: true, columns: terminal.stdout });
  if (terminal.stderr !== undefined) Object.assign(process.stderr, { isTTY: true, columns: terminal.stderr });
}
