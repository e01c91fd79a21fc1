/**
 * Ctrl-C (SIGINT) and SIGTERM for a batch, wherever its command runs. On the main thread they are
 * the process's signals. `tcplab run` from the compiled build runs on a thread of its own beside
 * an idle main thread (src/command-thread.ts), and a worker thread cannot hear signals: there the
 * main thread forwards them as messages, and this module tells it when a listener is in place, so
 * that a signal with none (while the experiment files load, say) ends the process as it would a
 * program with no handler.
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The exit status of a command a signal stopped: 128 + the signal's number, as a shell reports it. */
export const SIGNAL_EXIT: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** The messages between the main thread and the command thread. */
export type CommandThreadMessage =
  /** Main → command thread: the process got this signal. */
  | { signal: StopSignal }
  /** Command thread → main: whether a listener handles signals now. */
  | { signals: 'handled' | 'default' }
  /** Command thread → main: this forwarded signal found no listener (it raced a 'default'). */
  | { unhandled: StopSignal };

/** The workerData that marks a command thread. */
export interface CommandThreadData {
  commandThread: true;
  /** The widths of stdout and stderr where they are terminals (worker stdio is piped). */
  terminal: { stdout?: number; stderr?: number };
}

/** What src/command-thread.ts gave this thread, when it runs a command for it. */
export function commandThreadData(): CommandThreadData | undefined {
  const data = workerData as Partial<CommandThreadData> | undefined;
  return !isMainThread && data?.commandThread === true ? (data as CommandThreadData) : undefined;
}

const listeners = new Set<(signal: StopSignal) => void>();
let portListening = false;

/** On the command thread: one listener on the port for the thread's life, handing signals on. */
function listenToMainThread(port: MessagePort): void {
  if (portListening) return;
  portListening = true;
  port.on('message', (m: CommandThreadMessage) => {
    if (!('signal' in m)) return;
    if (listeners.size === 0) port.postMessage({ unhandled: m.signal } satisfies CommandThreadMessage);
    for (const l of [...listeners]) l(m.signal);
  });
  // A listening port would keep the thread alive; the command's own work decides when it ends.
  port.unref();
}

/** Calls `listener` on SIGINT and SIGTERM until the returned function is called. */
export function onStopSignals(listener: (signal: StopSignal) => void): () => void {
  if (commandThreadData() === undefined || parentPort === null) {
    process.on('SIGINT', listener);
    process.on('SIGTERM', listener);
    return () => {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    };
  }
  const port = parentPort;
  listenToMainThread(port);
  listeners.add(listener);
  if (listeners.size === 1) port.postMessage({ signals: 'handled' } satisfies CommandThreadMessage);
  return () => {
    if (listeners.delete(listener) && listeners.size === 0)
      port.postMessage({ signals: 'default' } satisfies CommandThreadMessage);
  };
}
