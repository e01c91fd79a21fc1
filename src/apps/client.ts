/**
 * The client application: pages arrive (periodic or Poisson) between `start` and `stop`; each page
 * is `objects` requests fetched in one of three ways:
 * - `http1.0`: one connection per object (up to `connections` at once), closed after its response
 *   by the client or the server (`closer`), which decides who holds TIME-WAIT;
 * - `keepalive`: one persistent connection, one request at a time (HTTP/1.1 without pipelining);
 * - `pipelined`: one persistent connection, every request of a page sent at once (HTTP/1.1
 *   pipelining), responses in order.
 * It reports connect outcomes, request times and page times to the metrics.
 */
import type { ClientApp } from '../experiment/spec-types.ts';
import type { EventHandler, Sim } from '../sim/simulator.ts';
import { SEC, type Nanos } from '../sim/time.ts';
import type { SocketHandler } from '../stack/socket-api.ts';
import type { Errno } from '../tcp/api.ts';
import { ClientConnection, type ConnectionOwner } from './client-connection.ts';
import type { AppContext } from './context.ts';

const ARRIVAL = 1;

/** A page being loaded: its start time and how many objects are still to be fetched / answered. */
interface Page {
  start: Nanos;
  toRequest: number;
  toAnswer: number;
}

export interface ClientOptions {
  spec: ClientApp;
  /** The server's response size for one request (from the server app the target runs). */
  responseBytes: number;
}

export class Client implements EventHandler, ConnectionOwner {
  readonly requestBytes: number;
  readonly responseBytes: number;
  private readonly spec: ClientApp;
  private readonly targetAddr: number;
  private pagesStarted = 0;
  private pages: Page[] = [];
  /** Pages indexed by tag (requests carry their page's tag). */
  private pageByTag = new Map<number, Page>();
  private nextTag = 0;
  /** http1.0: open connections and the page each one serves. */
  private active = new Map<ClientConnection, number>();
  /** keepalive / pipelined: the persistent connection. */
  private persistent: ClientConnection | null = null;
  /** keepalive: requests waiting for the connection to be free (page tags). */
  private waiting: number[] = [];
  private stopped = false;

  constructor(private readonly ctx: AppContext, options: ClientOptions) {
    this.spec = options.spec;
    this.requestBytes = options.spec.requestBytes;
    this.responseBytes = options.responseBytes;
    this.targetAddr = ctx.addressOf(options.spec.target.node);
  }

  now(): Nanos {
    return this.ctx.sim.now;
  }

  start(): void {
    const { spec, ctx } = this;
    if (spec.rate <= 0 || spec.stop <= spec.start) return;
    // A random phase per instance: fifty periodic clients must not fire in lock-step.
    const first = spec.start + Math.floor(this.gap() * (spec.arrival === 'periodic' ? ctx.rng.float() : 1));
    if (first < spec.stop) ctx.sim.at(first, this, ARRIVAL);
  }

  onEvent(sim: Sim, tag: number): void {
    if (tag !== ARRIVAL || this.stopped) return;
    this.startPage();
    const next = sim.now + Math.max(1, Math.round(this.gap()));
    const more = this.spec.count === undefined || this.pagesStarted < this.spec.count;
    if (more && next < this.spec.stop) sim.at(next, this, ARRIVAL);
    else this.finishArrivals();
  }

  private gap(): Nanos {
    const mean = SEC / this.spec.rate;
    return this.spec.arrival === 'poisson' ? this.ctx.rng.exponential(mean) : mean;
  }

  private startPage(): void {
    this.pagesStarted++;
    const page: Page = { start: this.now(), toRequest: this.spec.objects, toAnswer: this.spec.objects };
    const tag = this.nextTag++;
    this.pageByTag.set(tag, page);
    this.pages.push(page);
    if (this.spec.mode === 'http1.0') this.fillHttp10(tag);
    else this.requestPersistent(tag, page);
  }

  /** HTTP/1.0: open connections for the page's remaining objects, up to `connections` at once. */
  private fillHttp10(tag: number): void {
    const page = this.pageByTag.get(tag);
    if (page === undefined) return; // loaded (or failed) already
    let open = 0;
    for (const t of this.active.values()) if (t === tag) open++;
    while (page.toRequest > 0 && open < this.spec.connections) {
      page.toRequest--;
      open++;
      const conn = this.openConnection();
      if (conn === null) {
        this.objectFailed(tag);
        continue;
      }
      this.active.set(conn, tag);
      conn.request(this.now(), tag); // issued now: request time includes set-up
    }
  }

  private requestPersistent(tag: number, page: Page): void {
    const conn = this.ensurePersistent();
    if (conn === null) {
      while (page.toRequest > 0) {
        page.toRequest--;
        this.objectFailed(tag);
      }
      return;
    }
    if (this.spec.mode === 'pipelined') {
      while (page.toRequest > 0) {
        page.toRequest--;
        conn.request(this.now(), tag);
      }
    } else {
      while (page.toRequest > 0) {
        page.toRequest--;
        this.waiting.push(tag);
      }
      this.pumpKeepalive();
    }
  }

  /** Keep-alive without pipelining: one request in flight; the next goes when its answer is in. */
  private pumpKeepalive(): void {
    const conn = this.persistent;
    if (conn === null || conn.outstanding > 0 || this.waiting.length === 0) return;
    conn.request(this.now(), this.waiting.shift()!);
  }

  private ensurePersistent(): ClientConnection | null {
    if (this.persistent !== null && !this.persistent.closed) return this.persistent;
    this.persistent = this.openConnection();
    return this.persistent;
  }

  private openConnection(): ClientConnection | null {
    const conn = new ClientConnection(this);
    this.ctx.report.connectAttempted(this.ctx.app, this.ctx.node);
    const stack = this.ctx.stack;
    const addr = this.targetAddr;
    const port = this.spec.target.port;
    const errno = conn.open((h: SocketHandler) => stack.connect(addr, port, h));
    if (errno !== null) {
      this.ctx.report.connectFailed(this.ctx.app, this.ctx.node, errno);
      return null;
    }
    return conn;
  }

  onConnectionUp(_conn: ClientConnection, handshake: Nanos): void {
    this.ctx.report.connected(this.ctx.app, this.ctx.node, handshake);
  }

  onResponse(conn: ClientConnection, issuedAt: Nanos, tag: number): void {
    this.ctx.report.requestCompleted(this.ctx.app, this.ctx.node, this.now() - issuedAt);
    this.objectDone(tag);
    if (this.spec.mode === 'http1.0') {
      this.active.delete(conn);
      if (this.spec.closer === 'client') conn.close(); // the client closes first: TIME-WAIT here
      this.fillHttp10(tag);
    } else {
      this.pumpKeepalive();
      this.closePersistentIfDone();
    }
  }

  onConnectionFailed(conn: ClientConnection, errno: Errno, established: boolean): void {
    if (established) this.ctx.report.connectionLost(this.ctx.app, this.ctx.node, errno);
    else this.ctx.report.connectFailed(this.ctx.app, this.ctx.node, errno);
    if (this.spec.mode === 'http1.0') {
      const tag = this.active.get(conn);
      this.active.delete(conn);
      if (tag !== undefined) {
        this.objectFailed(tag);
        this.fillHttp10(tag);
      }
    } else if (conn === this.persistent) {
      this.persistent = null;
      // Requests in flight on it are lost; their pages can't complete.
      for (const page of this.pages) if (page.toAnswer > 0 && page.toRequest === 0) page.toAnswer = 0;
      this.waiting.length = 0;
    }
  }

  onConnectionClosed(conn: ClientConnection): void {
    if (conn === this.persistent) this.persistent = null;
    this.active.delete(conn);
  }

  private objectDone(tag: number): void {
    const page = this.pageByTag.get(tag);
    if (page === undefined) return;
    if (--page.toAnswer === 0) {
      this.ctx.report.pageCompleted(this.ctx.app, this.ctx.node, this.now() - page.start);
      this.forgetPage(tag, page);
    }
  }

  private objectFailed(tag: number): void {
    const page = this.pageByTag.get(tag);
    if (page === undefined) return;
    page.toAnswer = -Infinity; // a page with a failed object never completes
    if (page.toRequest === 0) this.forgetPage(tag, page);
  }

  private forgetPage(tag: number, page: Page): void {
    this.pageByTag.delete(tag);
    const i = this.pages.indexOf(page);
    if (i >= 0) this.pages.splice(i, 1);
  }

  private finishArrivals(): void {
    this.stopped = true;
    this.closePersistentIfDone();
  }

  /** After `stop`, a persistent connection is closed once its last request is answered. */
  private closePersistentIfDone(): void {
    const conn = this.persistent;
    if (!this.stopped || conn === null || conn.outstanding > 0 || this.waiting.length > 0) return;
    conn.close();
    this.persistent = null;
  }
}
