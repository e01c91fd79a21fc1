/**
 * The bracket around every stack call (a packet in, a wake-up, a user call): notifications the
 * engine raises inside it are queued and delivered to applications when the outermost call
 * returns, so application code never runs inside an engine call, and calls that handlers make
 * while notifications are delivered queue theirs rather than recurse.
 *
 * HostStack extends it (one object per host, not two: a 10^5-host star counts every object).
 */
import { ConnEvent, type Errno } from '../tcp/api.ts';
import { StackListenSocket, type StackSocket } from './sockets.ts';

export abstract class CallBracket {
  private depth = 0;
  /**
   * Queued notifications as flat triples (target, what, errno): no object per event. The array
   * keeps its capacity (emptying it with length = 0 would free it, and the next event would grow
   * a new one); `queued` counts the entries in use. Room for one triple first, doubled exactly
   * when full (a write past the end would grow it by half plus 16 slots): a client host rarely
   * has two notifications pending at once, and 10^5 hosts each hold one of these.
   */
  private queue: unknown[] = new Array(3);
  private queued = 0;

  /** Enters a stack call. */
  begin(): void {
    this.depth++;
  }

  /** Leaves a stack call; the outermost one delivers queued notifications to applications. */
  end(): void {
    if (this.depth > 1) {
      this.depth--;
      return;
    }
    // still "inside" while delivering, so calls made by handlers queue rather than recurse; what
    // they queue may grow the queue into a new array, so it is read afresh for every entry
    for (let i = 0; i < this.queued; i += 3) {
      const q = this.queue;
      const target = q[i] as StackSocket | StackListenSocket;
      const errno = q[i + 2] as Errno | undefined;
      q[i] = undefined; // hold no reference to a delivered socket
      q[i + 2] = undefined;
      deliver(target, q[i + 1] as number, errno);
    }
    this.queued = 0;
    this.depth--;
  }

  /** Queues a notification for delivery at the end of the outermost call. */
  protected enqueue(target: StackSocket | StackListenSocket, what: ConnEvent, errno: Errno | undefined): void {
    const n = this.queued;
    if (n === this.queue.length) this.grow();
    const q = this.queue;
    q[n] = target;
    q[n + 1] = what;
    q[n + 2] = errno;
    this.queued = n + 3;
  }

  private grow(): void {
    const old = this.queue;
    const q: unknown[] = new Array(2 * old.length);
    for (let i = 0; i < old.length; i++) q[i] = old[i];
    this.queue = q;
  }
}

function deliver(target: StackSocket | StackListenSocket, what: number, errno: Errno | undefined): void {
  if (target instanceof StackListenSocket) {
    if (!target.closed) target.handler.onAcceptable?.(target);
    return;
  }
  const h = target.handler;
  switch (what) {
    case ConnEvent.CONNECTED:
      h.onConnected?.(target);
      break;
    case ConnEvent.READABLE:
      h.onReadable?.(target);
      break;
    case ConnEvent.WRITABLE:
      h.onWritable?.(target);
      break;
    case ConnEvent.ERROR:
      h.onError?.(target, errno!);
      break;
    case ConnEvent.FREED:
      h.onFreed?.(target);
      break;
  }
}
