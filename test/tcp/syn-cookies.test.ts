import { describe, expect, it } from 'vitest';
import { SEC } from '../../src/sim/time.ts';
import { ACK, SYN } from '../../src/wire/segment.ts';
import { ConnEvent } from '../../src/tcp/api.ts';
import {
  CookieSecret,
  checkCookie,
  cookieMssIndex,
  cookieTimestamp,
  decodeCookieTimestamp,
  makeCookie,
  COOKIE_MSS,
} from '../../src/tcp/syn-cookies.ts';
import { CLIENT, SERVER, finalAck, line, makeListener, seg, syn } from './listener-harness.ts';

const secret = new CookieSecret(1, 2, 3, 4);

describe('cookie arithmetic (Linux secure_tcp_syn_cookie / check_tcp_syn_cookie)', () => {
  it('rounds the peer MSS down to the table {536, 1300, 1440, 1460}', () => {
    expect([9000, 1460, 1459, 1440, 1400, 1300, 1000, 536, 100].map((m) => COOKIE_MSS[cookieMssIndex(m)])).toEqual([
      1460, 1460, 1440, 1440, 1300, 1300, 536, 536, 536,
    ]);
  });

  it('a cookie validates on ack - 1 / seq - 1 and gives back its MSS', () => {
    const c = makeCookie(secret, CLIENT, SERVER, 40000, 80, 12345, 2, 10 * SEC);
    expect(checkCookie(secret, CLIENT, SERVER, 40000, 80, 12346, c + 1, 10 * SEC)).toBe(1440);
  });

  it('is valid for two counter values (60 s each), then expires', () => {
    const c = makeCookie(secret, CLIENT, SERVER, 40000, 80, 0xfffffff0, 3, 59 * SEC);
    expect(checkCookie(secret, CLIENT, SERVER, 40000, 80, 0xfffffff1, c + 1, 119 * SEC)).toBe(1460);
    expect(checkCookie(secret, CLIENT, SERVER, 40000, 80, 0xfffffff1, c + 1, 120 * SEC)).toBe(0);
  });

  it('fails for another 4-tuple, another peer ISN or another secret', () => {
    const c = makeCookie(secret, CLIENT, SERVER, 40000, 80, 7, 3, 0);
    expect(checkCookie(secret, CLIENT, SERVER, 40001, 80, 8, c + 1, 0)).toBe(0);
    expect(checkCookie(secret, CLIENT + 1, SERVER, 40000, 80, 8, c + 1, 0)).toBe(0);
    expect(checkCookie(secret, CLIENT, SERVER, 40000, 80, 1008, c + 1, 0)).toBe(0);
    expect(checkCookie(new CookieSecret(1, 2, 3, 5), CLIENT, SERVER, 40000, 80, 8, c + 1, 0)).toBe(0);
  });

  it('keeps window scale and SACK in the TSval low 6 bits, never ahead of the clock', () => {
    const ts = cookieTimestamp(100_000, 7, true);
    expect(ts).toBeLessThanOrEqual(100_000);
    expect(100_000 - ts).toBeLessThan(64);
    expect(decodeCookieTimestamp(ts)).toEqual({ wscale: 7, sackOk: true, ecnOk: false });
    expect(decodeCookieTimestamp(cookieTimestamp(100_000, -1, false))).toEqual({
      wscale: -1,
      sackOk: false,
      ecnOk: false,
    });
    expect(decodeCookieTimestamp(cookieTimestamp(100_000, 7, true, true))).toEqual({
      wscale: 7,
      sackOk: true,
      ecnOk: true,
    });
  });
});

/** A listener with backlog 4 (SYN queue of 5) already full of flood requests. */
function flooded(overrides = {}) {
  const fx = makeListener({ synCookies: true, ...overrides }, 4);
  for (let i = 0; i < 5; i++) fx.listener.onSegment(syn(1000 + i, i), 0xc6120000 + i, SERVER, 0);
  fx.out.take();
  fx.out.states.length = 0;
  return fx;
}

describe('SYN cookies on the listener (synCookies: true = Linux tcp_syncookies 1)', () => {
  it('sends no cookie while the SYN queue has room', () => {
    const { listener } = makeListener({ synCookies: true }, 4);
    for (let i = 0; i < 5; i++) listener.onSegment(syn(1000 + i, i), 0xc6120000 + i, SERVER, 0);
    expect(listener.stats.cookiesSent).toBe(0);
    expect(listener.synQueueLen).toBe(5);
  });

  it('once the queue is full, answers with a stateless cookie SYN-ACK and completes on a valid ACK', () => {
    const { out, host, listener } = flooded();
    listener.onSegment(syn(40000, 999), CLIENT, SERVER, 1 * SEC);
    const sent = out.take();
    expect(sent).toHaveLength(1);
    const synAck = sent[0]!.seg;
    expect(synAck.flags).toBe(SYN | ACK);
    expect(synAck.ack).toBe(1000);
    expect(synAck.options!.mss).toBe(1460);
    expect(synAck.options!.wscale).toBe(7);
    expect(synAck.options!.sackPermitted).toBe(true);
    // options sit in the low bits of TSval - ts_off (the host's offset for CLIENT is 1e6)
    expect(decodeCookieTimestamp(synAck.options!.timestamp!.val - 1_000_000)).toEqual({
      wscale: 7,
      sackOk: true,
      ecnOk: false,
    });
    expect(out.states).toEqual([]); // no request, no state
    expect(listener.synQueueLen).toBe(5);
    expect(listener.stats.cookiesSent).toBe(1);
    expect(listener.deadline).toBe(1 * SEC); // the flood's requests; the cookie added no timer

    const ack = finalAck(synAck, { timestamp: { val: 200, ecr: synAck.options!.timestamp!.val } });
    listener.onSegment(ack, CLIENT, SERVER, 1.02 * SEC);
    expect(out.take()).toEqual([]);
    expect(listener.stats.cookiesAccepted).toBe(1);
    expect(host.children).toHaveLength(1);
    expect(host.children[0]!.h).toMatchObject({
      iss: synAck.seq,
      irs: 999,
      peerMss: 1460,
      peerWscale: 7,
      ourWscale: 7,
      sackOk: true,
      tsOk: true,
      tsRecent: 200,
      tsOffset: 1_000_000,
    });
    expect(host.children[0]!.h.synAckSentAt).toBeUndefined(); // no RTT sample from a cookie
    expect(host.children[0]!.acks[0]).toBe(ack);
    expect(out.states).toEqual(['a000002:40000 LISTEN>SYN_RCVD']);
    expect(out.notes).toEqual([ConnEvent.ACCEPTABLE]);
  });

  it('without timestamps the SYN-ACK carries MSS only: window scale and SACK are lost, MSS rounds down', () => {
    const { out, host, listener } = flooded();
    listener.onSegment(syn(40000, 999, { mss: 1400, wscale: 7, sackPermitted: true }), CLIENT, SERVER, 0);
    const synAck = out.take()[0]!.seg;
    expect(synAck.options).toEqual({ mss: 1460 });
    listener.onSegment(finalAck(synAck), CLIENT, SERVER, 0);
    expect(host.children[0]!.h).toMatchObject({
      peerMss: 1300,
      peerWscale: -1,
      ourWscale: -1,
      sackOk: false,
      tsOk: false,
    });
  });

  it('never retransmits a cookie SYN-ACK', () => {
    const { out, listener } = flooded({ synQueuePruning: false });
    listener.onSegment(syn(40000, 999), CLIENT, SERVER, 0);
    out.take();
    for (let d = listener.deadline; d <= 100 * SEC; d = listener.deadline) listener.onTimer(d);
    expect(out.take().filter((s) => s.seg.dstPort === 40000)).toEqual([]);
  });

  it('answers a forged cookie ACK with RST, as Linux does on a listener', () => {
    const { out, host, listener } = flooded();
    listener.onSegment(syn(5555, 1), 0xc6120099, SERVER, 0); // a cookie goes out: overflow is recent
    out.take();
    listener.onSegment(seg(ACK, 1000, 0xdeadbeef, null, 40000), CLIENT, SERVER, 0);
    expect(out.take().map(line)).toEqual(['R 3735928559:3735928559(0)']);
    expect(listener.stats.cookiesFailed).toBe(1);
    expect(host.children).toEqual([]);
  });

  it('answers an expired cookie ACK (counter moved by 2) with RST', () => {
    const { out, host, listener } = flooded({ synQueuePruning: false });
    listener.onSegment(syn(40000, 999, { mss: 1460 }), CLIENT, SERVER, 10 * SEC);
    const synAck = out.take()[0]!.seg;
    // keep the overflow recent so the ACK is checked as a cookie at all
    listener.onSegment(syn(41000, 5, { mss: 1460 }), CLIENT + 1, SERVER, 100 * SEC);
    out.take();
    listener.onSegment(finalAck(synAck), CLIENT, SERVER, 121 * SEC);
    expect(out.take().map(line)).toEqual([`R ${synAck.seq + 1}:${synAck.seq + 1}(0)`]);
    expect(host.children).toEqual([]);
  });

  it('does not check cookies without a recent overflow (tcp_synq_no_recent_overflow): ACK → RST', () => {
    const { out, host, listener, secret: key } = makeListener({ synCookies: true }, 4);
    const cookie = makeCookie(key, CLIENT, SERVER, 40000, 80, 999, 3, 0);
    listener.onSegment(seg(ACK, 1000, cookie + 1, null, 40000), CLIENT, SERVER, 0);
    expect(out.take().map(line)).toEqual([`R ${(cookie + 1) >>> 0}:${(cookie + 1) >>> 0}(0)`]);
    expect(host.children).toEqual([]);
  });

  it("'always' (Linux 2) answers every SYN with a cookie and keeps no request", () => {
    const { out, host, listener } = makeListener({ synCookies: 'always' }, 128);
    listener.onSegment(syn(40000, 0), CLIENT, SERVER, 0);
    const synAck = out.take()[0]!.seg;
    expect(listener.synQueueLen).toBe(0);
    expect(listener.deadline).toBe(Infinity);
    listener.onSegment(
      finalAck(synAck, { timestamp: { val: 1, ecr: synAck.options!.timestamp!.val } }),
      CLIENT,
      SERVER,
      0,
    );
    expect(host.children).toHaveLength(1);
    expect(listener.stats).toMatchObject({ cookiesSent: 1, cookiesAccepted: 1 });
  });

  it('drops a valid cookie ACK while the accept queue is full', () => {
    const { out, host, listener } = makeListener({ synCookies: 'always' }, 0);
    listener.onSegment(syn(40000, 0, { mss: 1460 }), CLIENT, SERVER, 0);
    listener.onSegment(syn(40001, 0, { mss: 1460 }), CLIENT, SERVER, 0);
    const [a, b] = out.take().map((s) => s.seg);
    listener.onSegment(finalAck(a!), CLIENT, SERVER, 0);
    listener.onSegment(finalAck(b!), CLIENT, SERVER, 0);
    expect(host.children).toHaveLength(1);
    expect(out.take()).toEqual([]);
    expect(listener.stats.acceptDropCookie).toBe(1);
    expect(listener.stats.acceptQueueDrops).toBe(1);
  });

  it('under a 100k-SYN flood the queue stays full and a real client still connects by cookie', () => {
    const { out, host, listener } = makeListener({ synCookies: true }, 128);
    for (let i = 0; i < 100_000; i++) {
      const t = i * 10_000;
      while (listener.deadline <= t) listener.onTimer(listener.deadline);
      listener.onSegment(syn(1024 + (i % 60000), i * 7919, { mss: 1460 }), (0xc6120000 + i) >>> 0, SERVER, t);
      if (i % 4096 === 0) out.take();
    }
    out.take();
    expect(listener.synQueueLen).toBe(129);
    expect(listener.stats.cookiesSent).toBeGreaterThan(99_000);
    listener.onSegment(syn(40000, 77, { mss: 1460 }), CLIENT, SERVER, 1 * SEC);
    listener.onSegment(finalAck(out.take()[0]!.seg), CLIENT, SERVER, 1.01 * SEC);
    expect(host.children.map((c) => c.h.ep.remoteAddr)).toEqual([CLIENT]);
  });
});
