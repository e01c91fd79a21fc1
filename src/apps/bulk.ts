/**
 * One long transfer (for window and congestion studies): connect, write `bytes`, close, and time
 * it until the receiver has closed its side (it does so after reading everything).
 */
import type { BulkApp } from './app-specs.ts';
import type { EventHandler, Sim } from '../sim/simulator.ts';
import type { Nanos } from '../sim/time.ts';
import type { SocketHandler, TcpSocket } from '../stack/socket-api.ts';
import type { Errno } from '../tcp/api.ts';
import type { AppContext } from './context.ts';
import { drain, writeSome } from './socket-io.ts';

const START = 1;

export class Bulk implements EventHandler, SocketHandler {
  private sock: TcpSocket | null = null;
  private unsent: number;
  private startedAt: Nanos = 0;
  private done = false;
  private finQueued = false;
  private established = false;

  /** `start0`: this instance's start (the app's, or its member's when staggered). */
  constructor(
    private readonly ctx: AppContext,
    private readonly spec: BulkApp,
    private readonly start0 = spec.start,
  ) {
    this.unsent = spec.bytes;
  }

  /** The socket, for TCP_INFO sampling (cwnd time series). */
  get socket(): TcpSocket | null {
    return this.done ? null : this.sock;
  }

  start(): void {
    this.ctx.sim.at(this.start0, this, START);
  }

  onEvent(sim: Sim): void {
    const { ctx } = this;
    this.startedAt = sim.now;
    ctx.report.connectAttempted(ctx.app, ctx.node);
    const sock = ctx.stack.connect(ctx.addressOf(this.spec.target.node), this.spec.target.port, this);
    if (typeof sock === 'string') ctx.report.connectFailed(ctx.app, ctx.node, sock);
    else this.sock = sock;
  }

  onConnected(sock: TcpSocket): void {
    this.established = true;
    this.ctx.report.connected(this.ctx.app, this.ctx.node, this.ctx.sim.now - this.startedAt);
    this.onWritable(sock);
  }

  onWritable(sock: TcpSocket): void {
    if (this.finQueued) return;
    this.unsent -= writeSome(sock, this.unsent);
    if (this.unsent > 0) return; // onWritable resumes (or onError reports a failure)
    this.finQueued = true;
    sock.shutdown('wr'); // FIN after the last byte: the receiver reads EOF and closes
  }

  onReadable(sock: TcpSocket): void {
    if (!drain(sock).eof) return;
    if (this.done) return;
    this.done = true;
    this.ctx.report.bulkCompleted(this.ctx.app, this.ctx.node, this.spec.bytes, this.ctx.sim.now - this.startedAt);
    sock.close();
  }

  onError(_sock: TcpSocket, errno: Errno): void {
    if (this.done) return;
    this.done = true;
    if (this.established) this.ctx.report.connectionLost(this.ctx.app, this.ctx.node, errno);
    else this.ctx.report.connectFailed(this.ctx.app, this.ctx.node, errno);
  }
}
