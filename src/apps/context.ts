/**
 * What an application instance is given: the clock, its host's TCP stack (the socket API is all
 * it may touch of the network), its own random stream, and a reporter that receives
 * socket-level outcomes (connect results, request times) for the metrics.
 */
import type { AppNote, AppNoteFields } from '../schema/trace.ts';
import type { Rng } from '../sim/rng.ts';
import type { Sim } from '../sim/simulator.ts';
import type { Nanos } from '../sim/time.ts';
import type { ListenSocket, TcpStack } from '../stack/socket-api.ts';
import type { Errno } from '../tcp/api.ts';

export interface AppContext {
  sim: Sim;
  /** The host this instance runs on. */
  node: string;
  /** The app's id in the experiment (`apps.<id>`). */
  app: string;
  stack: TcpStack;
  rng: Rng;
  report: AppReporter;
  /** A node name to its IPv4 address. */
  addressOf(node: string): number;
  /** A listener the app opened after start (script listen steps), so its queues are measured. */
  listening?(socket: ListenSocket): void;
}

/**
 * Socket-level outcomes an application observes, as a user-space program would (connect()
 * returning, errno values, response bytes arriving). Implemented by src/metrics.
 */
export interface AppReporter {
  connectAttempted(app: string, node: string): void;
  /** connect() completed: `handshake` = connect() call to ESTABLISHED on the client. */
  connected(app: string, node: string, handshake: Nanos): void;
  /** connect() failed (ECONNREFUSED, ETIMEDOUT, EADDRNOTAVAIL, …). */
  connectFailed(app: string, node: string, errno: Errno): void;
  /** An established connection died with an error (ECONNRESET, ETIMEDOUT). */
  connectionLost(app: string, node: string, errno: Errno): void;
  /** One request answered in full: issue to last response byte. */
  requestCompleted(app: string, node: string, duration: Nanos): void;
  /**
   * One HTTP/2 stream answered: the longest its data waited, complete, in the receive queue
   * behind a hole that belonged to other streams (0 when nothing of it did).
   */
  headOfLineDelay(app: string, node: string, duration: Nanos): void;
  /** One page (all its objects) loaded. */
  pageCompleted(app: string, node: string, duration: Nanos): void;
  /** A bulk transfer finished: `bytes` sent in `duration` (connect() to the peer's close). */
  bulkCompleted(app: string, node: string, bytes: number, duration: Nanos): void;
  /** Any other application step worth a trace line (ev: app; its kinds: src/schema/trace.ts AppRecord). */
  note<W extends AppNote>(app: string, node: string, what: W, fields?: AppNoteFields<W>): void;
}
