// A command that says it handles signals, then computes forever without yielding (a run stuck
// inside one event): only terminating its thread ends it.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', () => {});
parentPort.postMessage({ signals: 'handled' });
setTimeout(() => {
  for (;;) {
    // never yields
  }
}, 100);
