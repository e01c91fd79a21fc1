/**
 * Ctrl-C (SIGINT) and SIGTERM for a batch, wherever its command runs. On the main thread they are
 * the process's signals. `tcplab run` from the compiled build runs on a thread of its own beside
 * an idle main thread (src/command-thread.ts), and a worker thread cannot hear signals: there the
 * main thread forwards them as messages, and this module tells it when a listener is in place, so
 * that a signal with none (while the experiment files load, say) ends the process as it would a
 * program with no handler.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The messages between the main thread and the command thread. */
export type CommandThreadMessage =
  /** Main → command thread: the process got this signal. */
  | { signal: StopSignal }
  /** Command thread → main: whether a listener handles signals now ('default': end the process). */
  | { signals: 'handled' | 'default' };

/** The workerData that marks a command thread. */
export interface CommandThreadData {
  commandThread: true;
  /** Whether the process's stdout and stderr are terminals, and their widths (worker stdio is piped). */
  terminal: { stdout?: number; stderr?: number };
}

/** This thread runs a command for src/command-thread.ts. */
export function onCommandThread(): boolean {
  return !isMainThread && (workerData as Partial<CommandThreadData> | undefined)?.commandThread === true;
}

/** Calls `listener` on SIGINT and SIGTERM until the returned function is called. */
export function onStopSignals(listener: (signal: StopSignal) => void): () => void {
  if (!onCommandThread() || parentPort === null) {
    process.on('SIGINT', listener);
    process.on('SIGTERM', listener);
    return () => {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    };
  }
  const port = parentPort;
  const onMessage = (m: CommandThreadMessage): void => {
    if ('signal' in m) listener(m.signal);
  };
  port.on('message', onMessage);
  // A listening port keeps the thread alive; the command's own work decides when it ends.
  port.unref();
  port.postMessage({ signals: 'handled' } satisfies CommandThreadMessage);
  return () => {
    port.off('message', onMessage);
    port.postMessage({ signals: 'default' } satisfies CommandThreadMessage);
  };
}
