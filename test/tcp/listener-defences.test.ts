/** RFC 4987 section 3 host defences, each as a listener option, against the same small flood. */
import { describe, expect, it } from 'vitest';
import { SEC } from '../../src/sim/time.ts';
import { SYN_CACHE_BUCKETS, SynCacheBuckets } from '../../src/tcp/syn-cache.ts';
import { CLIENT, SERVER, finalAck, makeListener, runTimers, syn } from './listener-harness.ts';

/** Sources that hash into one SYN-cache bucket under the harness key. */
function sameBucket(n: number): { addr: number; port: number; bucket: number }[] {
  const buckets = new SynCacheBuckets(SYN_CACHE_BUCKETS, 2, 7, 9);
  const first = buckets.bucketOf(CLIENT, 1000, SERVER, 80);
  const found = [{ addr: CLIENT, port: 1000, bucket: first }];
  for (let a = 1; found.length < n; a++) {
    if (buckets.bucketOf(CLIENT + a, 1000, SERVER, 80) === first)
      found.push({ addr: CLIENT + a, port: 1000, bucket: first });
  }
  return found;
}

describe('RFC 4987 defences', () => {
  it('larger backlog: listen(1024) keeps 1025 half-open requests', () => {
    const { listener } = makeListener({ synCookies: false }, 1024);
    for (let i = 0; i < 2000; i++) listener.onSegment(syn(1000 + (i % 50000), i), 0xc6120000 + i, SERVER, 0);
    expect(listener.synQueueLen).toBe(1025);
  });

  it('shorter SYN-RECEIVED timer: the request goes at 5 s instead of 63 s', () => {
    const { out, listener } = makeListener({ synRecvTimeout: 5 * SEC }, 128);
    listener.onSegment(syn(40000, 0), CLIENT, SERVER, 0);
    runTimers(listener, out, 100 * SEC);
    expect(out.take().map((s) => s.t / SEC)).toEqual([0, 1, 3]);
    expect(out.states).toEqual(['a000002:40000 LISTEN>SYN_RCVD', 'a000002:40000 SYN_RCVD>CLOSED']);
    expect(listener.stats.synExpired).toBe(1);
  });

  it('recycle-oldest: a SYN finding the queue full replaces the oldest half-open entry', () => {
    const { out, listener } = makeListener({ synCookies: false, recycleOldest: true }, 2);
    for (let i = 0; i < 3; i++) listener.onSegment(syn(1000 + i, 0), 0xc6120000 + i, SERVER, i);
    out.states.length = 0;
    out.take();
    listener.onSegment(syn(40000, 0), CLIENT, SERVER, 10);
    expect(out.states).toEqual(['c6120000:1000 SYN_RCVD>CLOSED', 'a000002:40000 LISTEN>SYN_RCVD']);
    expect(out.take().map((s) => s.seg.dstPort)).toEqual([40000]);
    expect(listener.synQueueLen).toBe(3);
    expect(listener.stats.synDropRecycled).toBe(1);
    expect(listener.stats.synDropFull).toBe(0);
  });

  it('without recycle-oldest the same SYN is dropped', () => {
    const { out, listener } = makeListener({ synCookies: false }, 2);
    for (let i = 0; i < 3; i++) listener.onSegment(syn(1000 + i, 0), 0xc6120000 + i, SERVER, i);
    out.take();
    listener.onSegment(syn(40000, 0), CLIENT, SERVER, 10);
    expect(out.take()).toEqual([]);
    expect(listener.stats.synDropFull).toBe(1);
  });

  it('SYN cache: sized by buckets, not by the backlog', () => {
    const { listener } = makeListener({ synCookies: false, synCache: true, synCacheBucketSize: 2 }, 1);
    for (let i = 0; i < 50; i++) listener.onSegment(syn(1000 + i, 0), 0xc6120000 + i * 7, SERVER, 0);
    expect(listener.stats.synQueueCapacity).toBe(SYN_CACHE_BUCKETS * 2);
    expect(listener.synQueueLen).toBeGreaterThan(40); // only same-bucket collisions evict
  });

  it("SYN cache: a full bucket evicts that bucket's oldest entry, and only it", () => {
    const { out, listener } = makeListener({ synCookies: false, synCache: true, synCacheBucketSize: 2 }, 128);
    const [a, b, c] = sameBucket(3);
    listener.onSegment(syn(4444, 0), 0xc6990001, SERVER, 0); // elsewhere (checked below)
    for (const s of [a!, b!, c!]) listener.onSegment(syn(s.port, 0), s.addr, SERVER, 1);
    expect(out.states.filter((s) => s.endsWith('>CLOSED'))).toEqual([`${a!.addr.toString(16)}:1000 SYN_RCVD>CLOSED`]);
    expect(listener.synQueueLen).toBe(3);
    expect(listener.stats.synDropEvicted).toBe(1);
    // the evicted peer's ACK now matches nothing: RST
    const synAckA = out.take().find((s) => s.to === a!.addr)!.seg;
    listener.onSegment(finalAck(synAckA), a!.addr, SERVER, 2);
    expect(out.take().map((s) => s.seg.flags)).toEqual([4]);
  });

  it('hybrid (SYN cache + cookies, FreeBSD default): a full bucket answers with a cookie instead', () => {
    const { out, host, listener } = makeListener({ synCookies: true, synCache: true, synCacheBucketSize: 2 }, 128);
    const [a, b, c] = sameBucket(3);
    for (const s of [a!, b!, c!]) listener.onSegment(syn(s.port, 0), s.addr, SERVER, 1);
    expect(listener.stats.synDropEvicted).toBe(0);
    expect(listener.stats.cookiesSent).toBe(1);
    expect(listener.synQueueLen).toBe(2);
    const sent = out.take();
    const synAckC = sent.find((s) => s.to === c!.addr)!.seg;
    listener.onSegment(
      finalAck(synAckC, { timestamp: { val: 5, ecr: synAckC.options!.timestamp!.val } }),
      c!.addr,
      SERVER,
      2,
    );
    expect(host.children.map((ch) => ch.h.synAckSentAt === undefined)).toEqual([true]); // cookie: no SYN-ACK time
    // cache entries still complete normally
    listener.onSegment(finalAck(sent.find((s) => s.to === a!.addr)!.seg), a!.addr, SERVER, 3);
    expect(host.children.map((ch) => ch.h.synAckSentAt === undefined)).toEqual([true, false]);
  });
});
