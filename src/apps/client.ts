/**
 * The client application: pages arrive (periodic or Poisson) between `start` and `stop`, at most
 * `count` of them; each page is `objects` requests fetched in one of three ways:
 * - `http1.0`: one connection per object (up to `connections` at once per page), closed after its
 *   response by the client or the server (`closer`), which decides who holds TIME-WAIT;
 * - `keepalive`: persistent connections (up to `connections`, opened as needed and kept open
 *   across pages, as a browser's per-host pool), one request at a time on each (HTTP/1.1 without
 *   pipelining): a page of N objects over one connection costs N round trips after set-up;
 * - `pipelined`: persistent connections, every request of a page sent at once (HTTP/1.1
 *   pipelining, RFC 9112 9.3.2), responses in order, spread over up to `connections`;
 * - `h2`: one persistent HTTP/2 connection (src/apps/h2-client-connection.ts), every request of
 *   a page a stream at once (up to the server's SETTINGS_MAX_CONCURRENT_STREAMS), responses
 *   interleaved; each stream also reports its head-of-line delay.
 * With `fastOpen` its sockets set TCP_FASTOPEN_CONNECT (RFC 7413): connect() returns at once when
 * a cookie for the server is cached and the first request goes out in the SYN; the first
 * connection to a server asks for the cookie. 'first-visit' forgets the cookie before each connect.
 * It reports connect outcomes, request times and page times to the metrics. Persistent
 * connections are closed (by the client) once `stop` has passed and their last answer is in.
 */
import type { ClientApp } from './app-specs.ts';
import type { EventHandler, Sim } from '../sim/simulator.ts';
import { MS, SEC, type Nanos } from '../sim/time.ts';
import type { ConnectOptions, SocketHandler } from '../stack/socket-api.ts';
import type { Errno } from '../tcp/api.ts';
import { ClientConnection, type ConnectionOwner } from './client-connection.ts';
import type { AppContext } from './context.ts';
import type { H2Rendezvous } from './h2-frames.ts';
import { H2ClientConnection, type H2Owner } from './h2-client-connection.ts';

const ARRIVAL = 1;
const FAST_OPEN_CONNECT: ConnectOptions = Object.freeze({ fastOpenConnect: true });

/** A page being loaded: its start time, objects not yet requested, not yet answered, connections open for it (http1.0). */
interface Page {
  start: Nanos;
  toRequest: number;
  toAnswer: number;
  open: number;
  failed: boolean;
}

export interface ClientOptions {
  spec: ClientApp;
  /**
   * The server's response size for one request (from the server app the target runs). 0: no
   * response is expected, a request is done once written (client-connection.ts).
   */
  responseBytes: number;
  /** This instance's start: the app's, or its member's when the app is staggered (memberStart). */
  start?: Nanos;
  /** h2: the target server's SETTINGS_MAX_CONCURRENT_STREAMS (default 100). */
  maxConcurrentStreams?: number;
  /** h2: where the connection's frame logs are left for the server (one per run). */
  rendezvous?: H2Rendezvous;
}

export class Client implements EventHandler, ConnectionOwner, H2Owner {
  readonly requestBytes: number;
  readonly responseBytes: number;
  private readonly spec: ClientApp;
  private readonly targetAddr: number;
  private readonly interval: number;
  private readonly start0: Nanos;
  private firstArrival: Nanos = 0;
  private pagesStarted = 0;
  /**
   * Pages in progress by tag (requests carry their page's tag): tags are handed out in order, so
   * page `tag` is at `pages[tag - firstTag]`, a finished one is undefined, and finished pages at the
   * front are dropped (a page still loading keeps the finished ones after it as 8-byte holes until
   * it ends). A Map would cost ~200 bytes per client even for the one page most have.
   */
  private pages: (Page | undefined)[] = [];
  private firstTag = 0;
  private nextTag = 0;
  /** keepalive / pipelined: the persistent connections, in opening order. */
  private pool: ClientConnection[] = [];
  /** keepalive / pipelined: requests not yet given to a connection (page tags), FIFO. */
  private waiting: number[] = [];
  /** h2: the one connection, while open. */
  private h2: H2ClientConnection | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly options: ClientOptions,
  ) {
    this.spec = options.spec;
    this.requestBytes = options.spec.requestBytes;
    this.responseBytes = options.responseBytes;
    this.targetAddr = ctx.addressOf(options.spec.target.node);
    this.interval = options.spec.rate > 0 ? SEC / options.spec.rate : Infinity;
    this.start0 = options.start ?? options.spec.start;
  }

  now(): Nanos {
    return this.ctx.sim.now;
  }

  start(): void {
    const { spec, ctx } = this;
    if (!(this.interval < Infinity) || spec.stop <= this.start0 || spec.count === 0) return;
    // A random phase per instance: fifty periodic clients must not fire in lock-step. A staggered
    // app is spread by its stagger already: each member's first page is at its own start.
    const first =
      spec.arrival === 'periodic' && spec.stagger !== undefined
        ? this.start0
        : this.start0 +
          Math.floor(
            spec.arrival === 'periodic' ? this.interval * ctx.rng.float() : ctx.rng.exponential(this.interval),
          );
    this.firstArrival = first;
    if (first < spec.stop) ctx.sim.at(first, this, ARRIVAL);
  }

  onEvent(sim: Sim, tag: number): void {
    if (tag !== ARRIVAL || this.stopped) return;
    this.startPage();
    // Periodic: the k-th page at first + round(k · interval), so the average rate is exact.
    const next =
      this.spec.arrival === 'periodic'
        ? Math.max(sim.now + 1, this.firstArrival + Math.round(this.pagesStarted * this.interval))
        : sim.now + Math.max(1, Math.round(this.ctx.rng.exponential(this.interval)));
    const more = this.spec.count === undefined || this.pagesStarted < this.spec.count;
    if (more && next < this.spec.stop) sim.at(next, this, ARRIVAL);
    else this.finishArrivals();
  }

  private startPage(): void {
    this.pagesStarted++;
    const n = this.spec.objects;
    const page: Page = { start: this.now(), toRequest: n, toAnswer: n, open: 0, failed: false };
    const tag = this.nextTag++;
    this.pages.push(page); // at tag - firstTag: every tag before it was pushed first
    if (this.spec.mode === 'http1.0') {
      this.fillHttp10(tag);
      return;
    }
    page.toRequest = 0;
    for (let i = 0; i < n; i++) this.waiting.push(tag);
    this.dispatch();
  }

  /** HTTP/1.0: open connections for the page's remaining objects, up to `connections` at once. */
  private fillHttp10(tag: number): void {
    const page = this.pageOf(tag);
    if (page === undefined) return; // loaded (or failed) already
    while (page.toRequest > 0 && page.open < this.spec.connections) {
      page.toRequest--;
      const conn = this.openConnection();
      if (conn === null) {
        this.objectFailed(tag);
        continue;
      }
      page.open++;
      conn.pageTag = tag;
      conn.request(this.now(), tag); // issued now: request time includes set-up
    }
  }

  /**
   * Keep-alive and pipelining: hands waiting requests to the least-loaded persistent connection,
   * opening another while every open one is busy and the pool has room. Keep-alive gives a
   * connection one request at a time; pipelining queues them.
   */
  private dispatch(): void {
    if (this.spec.mode === 'h2') {
      this.dispatchH2();
      return;
    }
    const keepalive = this.spec.mode === 'keepalive';
    while (this.waiting.length > 0) {
      let conn = this.leastLoaded();
      if ((conn === null || conn.outstanding > 0) && this.pool.length < this.spec.connections) {
        const fresh = this.openConnection();
        if (fresh !== null) {
          this.pool.push(fresh);
          conn = fresh;
        } else if (conn === null) {
          this.objectFailed(this.waiting.shift()!);
          continue;
        }
      }
      if (conn === null || (keepalive && conn.outstanding > 0)) return; // wait for an answer
      conn.request(this.now(), this.waiting.shift()!);
    }
  }

  /** h2: every waiting request becomes a stream of the one connection (opened if needed). */
  private dispatchH2(): void {
    if (this.waiting.length === 0) return;
    if (this.h2 === null) {
      const conn = new H2ClientConnection(
        this,
        {
          maxConcurrentStreams: this.options.maxConcurrentStreams ?? 100,
          streamWindow: this.spec.streamWindow,
          connectionWindow: this.spec.connectionWindow,
        },
        this.options.rendezvous!,
        (f) => this.ctx.report.note(this.ctx.app, this.ctx.node, 'h2 frame', f),
      );
      this.ctx.report.connectAttempted(this.ctx.app, this.ctx.node);
      const stack = this.ctx.stack;
      const addr = this.targetAddr;
      const port = this.spec.target.port;
      const options = this.fastOpenOptions(addr);
      const errno = conn.open((h: SocketHandler) => stack.connect(addr, port, h, options));
      if (errno !== null) {
        this.ctx.report.connectFailed(this.ctx.app, this.ctx.node, errno);
        for (const t of this.waiting.splice(0)) this.objectFailed(t);
        return;
      }
      this.h2 = conn;
    }
    const now = this.now();
    for (const tag of this.waiting.splice(0)) this.h2.request(now, tag);
  }

  onH2Up(_conn: H2ClientConnection, handshake: Nanos): void {
    this.ctx.report.connected(this.ctx.app, this.ctx.node, handshake);
  }

  onH2Response(
    _conn: H2ClientConnection,
    issuedAt: Nanos,
    tag: number,
    hol: Nanos,
    stream: number,
    body: number,
    headersFirst: boolean,
  ): void {
    const { report, app, node } = this.ctx;
    report.requestCompleted(app, node, this.now() - issuedAt);
    report.headOfLineDelay(app, node, hol);
    report.note(app, node, 'h2 stream', {
      stream,
      body,
      headersFirst,
      request_ms: (this.now() - issuedAt) / MS,
      hol_ms: hol / MS,
    });
    this.objectDone(tag);
    this.closePoolIfDone();
  }

  onH2Gone(conn: H2ClientConnection, errno: Errno | null, established: boolean, lost: number[]): void {
    if (errno !== null) {
      if (established) this.ctx.report.connectionLost(this.ctx.app, this.ctx.node, errno);
      else this.ctx.report.connectFailed(this.ctx.app, this.ctx.node, errno);
    }
    if (this.h2 === conn) this.h2 = null;
    for (const t of lost) this.objectFailed(t);
    this.dispatch();
    this.closePoolIfDone();
  }

  private leastLoaded(): ClientConnection | null {
    let best: ClientConnection | null = null;
    for (const c of this.pool) if (best === null || c.outstanding < best.outstanding) best = c;
    return best;
  }

  private openConnection(): ClientConnection | null {
    const conn = new ClientConnection(this);
    this.ctx.report.connectAttempted(this.ctx.app, this.ctx.node);
    const stack = this.ctx.stack;
    const addr = this.targetAddr;
    const port = this.spec.target.port;
    const options = this.fastOpenOptions(addr);
    const errno = conn.open((h: SocketHandler) => stack.connect(addr, port, h, options));
    if (errno !== null) {
      this.ctx.report.connectFailed(this.ctx.app, this.ctx.node, errno);
      return null;
    }
    return conn;
  }

  /** TCP_FASTOPEN_CONNECT when the spec asks for Fast Open ('first-visit': the cookie cache forgotten first). */
  private fastOpenOptions(addr: number): ConnectOptions | undefined {
    const fastOpen = this.spec.fastOpen;
    if (fastOpen === 'first-visit') this.ctx.stack.forgetDestination?.(addr);
    return fastOpen === true || fastOpen === 'first-visit' ? FAST_OPEN_CONNECT : undefined;
  }

  onConnectionUp(_conn: ClientConnection, handshake: Nanos): void {
    this.ctx.report.connected(this.ctx.app, this.ctx.node, handshake);
  }

  onResponse(conn: ClientConnection, issuedAt: Nanos, tag: number): void {
    this.ctx.report.requestCompleted(this.ctx.app, this.ctx.node, this.now() - issuedAt);
    if (this.spec.mode === 'http1.0') {
      this.releaseHttp10(conn);
      if (this.spec.closer === 'client') conn.close(); // the client closes first: TIME-WAIT here
      this.objectDone(tag);
      this.fillHttp10(tag);
    } else {
      this.objectDone(tag);
      this.dispatch();
      this.closePoolIfDone();
    }
  }

  onConnectionFailed(conn: ClientConnection, errno: Errno, established: boolean, lost: number[]): void {
    if (established) this.ctx.report.connectionLost(this.ctx.app, this.ctx.node, errno);
    else this.ctx.report.connectFailed(this.ctx.app, this.ctx.node, errno);
    this.connectionGone(conn, lost);
  }

  onConnectionClosed(conn: ClientConnection, lost: number[]): void {
    this.connectionGone(conn, lost);
  }

  /** A connection ended: the requests it took with it fail their pages; others may use a new one. */
  private connectionGone(conn: ClientConnection, lost: number[]): void {
    const tag = this.releaseHttp10(conn);
    const i = this.pool.indexOf(conn);
    if (i >= 0) this.pool.splice(i, 1);
    for (const t of lost) this.objectFailed(t);
    if (tag !== undefined) this.fillHttp10(tag);
    else if (this.spec.mode !== 'http1.0') {
      this.dispatch();
      this.closePoolIfDone();
    }
  }

  /** Forgets an HTTP/1.0 connection (answered or gone); returns the page it served (undefined once released, and in the other modes). */
  private releaseHttp10(conn: ClientConnection): number | undefined {
    const tag = conn.pageTag;
    if (tag < 0) return undefined;
    conn.pageTag = -1;
    const page = this.pageOf(tag);
    if (page !== undefined) page.open--;
    return tag;
  }

  private objectDone(tag: number): void {
    const page = this.pageOf(tag);
    if (page === undefined) return;
    page.toAnswer--;
    if (page.failed) {
      if (page.open === 0) this.forgetPage(tag);
    } else if (page.toAnswer === 0) {
      this.ctx.report.pageCompleted(this.ctx.app, this.ctx.node, this.now() - page.start);
      this.forgetPage(tag);
    }
  }

  /** A page with a failed object never completes; it is forgotten once nothing of it is pending. */
  private objectFailed(tag: number): void {
    const page = this.pageOf(tag);
    if (page === undefined) return;
    if (!page.failed && this.waiting.includes(tag)) this.waiting = this.waiting.filter((t) => t !== tag); // no use fetching the rest
    page.failed = true;
    page.toRequest = 0;
    if (page.open === 0) this.forgetPage(tag);
  }

  /** The page of `tag` while it is in progress. */
  private pageOf(tag: number): Page | undefined {
    const i = tag - this.firstTag;
    return i >= 0 && i < this.pages.length ? this.pages[i] : undefined;
  }

  /** Forgets a page in progress; the finished ones at the front go with it. */
  private forgetPage(tag: number): void {
    if (this.pageOf(tag) === undefined) return;
    const pages = this.pages;
    pages[tag - this.firstTag] = undefined;
    while (pages.length > 0 && pages[0] === undefined) {
      pages.shift();
      this.firstTag++;
    }
  }

  private finishArrivals(): void {
    this.stopped = true;
    this.closePoolIfDone();
  }

  /** After `stop`, persistent connections are closed once every request is answered. */
  private closePoolIfDone(): void {
    if (!this.stopped || this.waiting.length > 0) return;
    for (const c of this.pool) if (c.outstanding > 0) return;
    if (this.h2 !== null && this.h2.outstanding > 0) return;
    for (const c of this.pool) c.close();
    this.pool.length = 0;
    this.h2?.close();
    this.h2 = null;
  }
}
