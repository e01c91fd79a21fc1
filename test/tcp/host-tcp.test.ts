/**
 * The per-host TCP object (src/tcp/host-tcp.ts): ISN and TSval offsets from the host's secrets,
 * the connection-state counts with tcp_max_tw_buckets, and the one TIME-WAIT takeover that both
 * tcp_tw_reuse (connect) and a reopening SYN use. Stack-level traces of the same rules are in
 * test/stack/sockets.test.ts and test/stack/connections.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MS, SEC, type Nanos } from '../../src/sim/time.ts';
import { TcpState } from '../../src/tcp/api.ts';
import {
  HostTcp,
  nextIncarnationIss,
  TW_COUNTED,
  TW_DESTROY,
  TW_UNCOUNTED,
  type StateCounts,
  type TimeWaitHolder,
  type TimeWaitSlot,
} from '../../src/tcp/host-tcp.ts';
import { tcpParams, type TcpParams } from '../../src/tcp/params.ts';
import { Rng } from '../../src/sim/rng.ts';
import { CookieSecret, keyedHash4 } from '../../src/tcp/syn-cookies.ts';

const A = 0x0a000002;
const B = 0x0a000001;

function host(params: Partial<TcpParams> = {}, seed = 1, name = 'a'): HostTcp {
  const counts: StateCounts = { established: 0, timeWait: 0, timeWaitPeak: 0 };
  return new HostTcp(tcpParams('linux', params), seed, name, counts);
}

/** A connection in TIME-WAIT as the takeover sees it; `destroy` records the call and goes to CLOSED. */
class FakeTimeWait implements TimeWaitHolder {
  state: TcpState = TcpState.TIME_WAIT;
  destroyedAt: Nanos = -1;
  constructor(
    readonly sndMax: number,
    readonly tsOk = true,
    readonly tsRecentAt: Nanos = 0,
  ) {}
  destroy(now: Nanos): void {
    this.destroyedAt = now;
    this.state = TcpState.CLOSED;
  }
}

function slot(): TimeWaitSlot {
  return { timeWaitMark: TW_UNCOUNTED };
}

describe('HostTcp: ISN and TSval offset (RFC 6528, Linux secure_tcp_seq / secure_tcp_ts_off)', () => {
  it('the ISN is a keyed hash of the 4-tuple plus one per 64 ns', () => {
    const t = host();
    const isn0 = t.initialSeq(A, 40000, B, 80, 0);
    expect(t.initialSeq(A, 40000, B, 80, 64)).toBe((isn0 + 1) >>> 0);
    expect(t.initialSeq(A, 40000, B, 80, 63)).toBe(isn0);
    expect(t.initialSeq(A, 40000, B, 80, 1 * SEC)).toBe((isn0 + 1e9 / 64) >>> 0);
    expect(t.initialSeq(A, 40001, B, 80, 0)).not.toBe(isn0); // another port, another hash
  });

  it('the same seed and host name give the same secrets; another host or seed other ones', () => {
    const isn = (t: HostTcp): number => t.initialSeq(A, 40000, B, 80, 0);
    expect(isn(host({}, 1, 'a'))).toBe(isn(host({}, 1, 'a')));
    expect(isn(host({}, 1, 'b'))).not.toBe(isn(host({}, 1, 'a')));
    expect(isn(host({}, 2, 'a'))).not.toBe(isn(host({}, 1, 'a')));
  });

  it('the TSval offset depends on the address pair only (a cookie ACK can recompute it)', () => {
    const t = host();
    const off = t.tsOffset(A, B);
    expect(t.tsOffset(A, B)).toBe(off);
    expect(t.tsOffset(A, B + 1)).not.toBe(off);
    expect(off).toBeGreaterThanOrEqual(0);
    expect(off).toBeLessThan(2 ** 32);
  });

  it('the jiffies phase: none with `jiffies: zero`, one per run when shared, one per host when perHost', () => {
    expect(host({ jiffies: 'zero' }).params.jiffiesOffset ?? 0).toBe(0);
    const shared = (name: string): number => host({ jiffies: 'shared' }, 7, name).params.jiffiesOffset ?? 0;
    expect(shared('a')).toBeGreaterThan(0);
    expect(shared('b')).toBe(shared('a'));
    const perHost = (name: string): number => host({ jiffies: 'perHost' }, 7, name).params.jiffiesOffset ?? 0;
    expect(perHost('b')).not.toBe(perHost('a'));
  });
});

describe('HostTcp: TIME-WAIT accounting and tcp_max_tw_buckets', () => {
  it('counts each entry once, keeps the peak, and uncounts once however the connection leaves', () => {
    const t = host();
    const x = slot(),
      y = slot();
    t.enterTimeWait(x, 5 * MS);
    t.enterTimeWait(y, 6 * MS);
    expect(t.counts).toEqual({ established: 0, timeWait: 2, timeWaitPeak: 2 });
    expect(x.timeWaitMark).toBe(TW_COUNTED);
    t.leaveTimeWait(x);
    t.leaveTimeWait(x); // freed after its TIME_WAIT → CLOSED record: already uncounted
    expect(t.counts).toEqual({ established: 0, timeWait: 1, timeWaitPeak: 2 });
    expect(x.timeWaitMark).toBe(TW_UNCOUNTED);
  });

  it('over maxTimeWait the connection is marked for destruction and not counted ("time wait bucket table overflow")', () => {
    const t = host({ maxTimeWait: 2 });
    const s = [slot(), slot(), slot()];
    for (const x of s) t.enterTimeWait(x, 0);
    expect(s.map((x) => x.timeWaitMark)).toEqual([TW_COUNTED, TW_COUNTED, TW_DESTROY]);
    expect(t.counts.timeWait).toBe(2);
    t.leaveTimeWait(s[2]!); // the overflowed one was never counted
    expect(t.counts.timeWait).toBe(2);
    t.leaveTimeWait(s[0]!);
    const next = slot();
    t.enterTimeWait(next, 1 * SEC); // room again
    expect(next.timeWaitMark).toBe(TW_COUNTED);
    expect(t.counts).toEqual({ established: 0, timeWait: 2, timeWaitPeak: 2 });
  });

  it('group counts follow the host counts', () => {
    const t = host();
    t.groupCounts = { established: 10, timeWait: 10 };
    t.countState(TcpState.SYN_SENT, TcpState.ESTABLISHED);
    t.countState(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT); // still CurrEstab
    const x = slot();
    t.enterTimeWait(x, 0);
    expect(t.groupCounts).toEqual({ established: 11, timeWait: 11 });
    t.countState(TcpState.CLOSE_WAIT, TcpState.LAST_ACK);
    t.leaveTimeWait(x);
    expect(t.groupCounts).toEqual({ established: 10, timeWait: 10 });
    expect(t.counts.established).toBe(0);
  });
});

describe('HostTcp: taking a 4-tuple over from TIME-WAIT', () => {
  it('tcp_tw_reuse: only with timestamps, and once a second has passed since the last one (tcp_twsk_unique)', () => {
    const t = host({ twReuse: true });
    expect(t.mayReuse(new FakeTimeWait(1000, true, 2 * SEC), 3 * SEC)).toBe(true);
    expect(t.mayReuse(new FakeTimeWait(1000, true, 2 * SEC), 3 * SEC - 1)).toBe(false);
    expect(t.mayReuse(new FakeTimeWait(1000, false, 0), 3 * SEC)).toBe(false);
    expect(host({ twReuse: false }).mayReuse(new FakeTimeWait(1000, true, 0), 3 * SEC)).toBe(false);
    const est = new FakeTimeWait(1000, true, 0);
    est.state = TcpState.ESTABLISHED;
    expect(t.mayReuse(est, 3 * SEC)).toBe(false);
  });

  it('connect path: destroys the TIME-WAIT connection and starts the new one at SND.NXT + 65537', () => {
    const t = host({ twReuse: true });
    const tw = new FakeTimeWait(5000);
    expect(t.takeOverTimeWait(tw, 3 * SEC)).toBe(5000 + 65537);
    expect(tw.destroyedAt).toBe(3 * SEC);
    expect(tw.state).toBe(TcpState.CLOSED);
  });

  it('SYN path: the TIME-WAIT closed itself on the SYN; the same ISS, nothing destroyed again', () => {
    const t = host();
    const tw = new FakeTimeWait(5000);
    tw.state = TcpState.CLOSED; // states/time-wait.ts took the SYN (SegmentVerdict.REOPEN)
    expect(t.takeOverTimeWait(tw, 3 * SEC)).toBe(5000 + 65537);
    expect(tw.destroyedAt).toBe(-1);
  });

  it('the ISS wraps modulo 2^32 and is never 0', () => {
    expect(nextIncarnationIss(0xffffffff - 65536)).toBe(1); // would be 0
    expect(nextIncarnationIss(0xffffffff)).toBe(65536);
  });
});

describe('host secrets', () => {
  /** The words of the host's secrets stream, in the order they are drawn. */
  function words(seed: number, name: string, n: number): number[] {
    const rng = new Rng(seed, `host:${name}:tcp-secrets`);
    return Array.from({ length: n }, () => rng.nextU32());
  }

  it('draws every key from one stream in a fixed order, the listener-only ones when first asked', () => {
    const w = words(9, 'srv', 12);
    const h = host({}, 9, 'srv');
    // ISN key: words 4 and 5; TSval key: 6 and 7; port key: 10 and 11
    expect(h.initialSeq(A, 1000, B, 80, 0)).toBe(keyedHash4(w[4]!, w[5]!, A, B, ((1000 << 16) | 80) >>> 0, 0) >>> 0);
    expect(h.tsOffset(A, B)).toBe(keyedHash4(w[6]!, w[7]!, A, B, 0, 0));
    expect([h.portKeyA >>> 0, h.portKeyB >>> 0]).toEqual([w[10], w[11]]);
    // the port search's stream is its own, by name
    const ports = new Rng(9, 'host:srv:ports');
    expect([h.portsRng().nextU32(), h.portsRng().nextU32()]).toEqual([
      ports.nextU32(),
      new Rng(9, 'host:srv:ports').nextU32(),
    ]);
    // made late, the listener's secrets are the words they would have been: cookie 0-3, SYN cache 8-9
    expect(h.cacheKey()).toEqual([w[8], w[9]]);
    const secret = h.cookieSecret;
    expect(secret).toBe(h.cookieSecret);
    expect(secret).toEqual(new CookieSecret(w[0]! | 0, w[1]! | 0, w[2]! | 0, w[3]! | 0));
    expect(secret.hash(A, B, 1000, 80, 3, 1)).toBe(
      new CookieSecret(w[0]!, w[1]!, w[2]!, w[3]!).hash(A, B, 1000, 80, 3, 1),
    );
  });
});
