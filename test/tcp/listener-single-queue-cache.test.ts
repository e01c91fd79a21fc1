/**
 * Issue 13 item 2: one queue (rfc9293 profile, or `separateQueues: false`) with a SYN cache and a
 * listener that never accepts. The cache holds more half-open entries than the accept queue holds
 * connections, so a completing handshake can find the accept queue full; that used to throw
 * "accept queue overflow" from inside the engine. Now it is handled as Linux's tcp_check_req
 * handles a full accept queue (listen_overflow): the final ACK is remembered and the request kept,
 * the SYN-ACK timer retransmits, and with tcp_abort_on_overflow the peer gets a RST.
 */
import { describe, expect, it } from 'vitest';
import { SEC } from '../../src/sim/time.ts';
import { CLIENT, finalAck, line, makeListener, runTimers, syn } from './listener-harness.ts';

const SERVER = 0x0a000001;

/**
 * backlog 1: the accept queue holds 2 (Linux tests len > backlog). Three SYNs arrive while it is
 * empty (the cache takes them all), then the first two complete and fill it; nothing accepts.
 * Returns the third request's SYN-ACK.
 */
function fillAcceptQueue(profile: 'linux' | 'rfc9293', extra: Parameters<typeof makeListener>[0] = {}) {
  const made = makeListener({ synCache: true, synCookies: false, separateQueues: false, ...extra }, 1, profile);
  const { out, listener } = made;
  const peers = [0xc6120000, 0xc6120001, CLIENT];
  peers.forEach((addr, i) => listener.onSegment(syn(40000 + i, 0), addr, SERVER, 0));
  const synAcks = out.take();
  expect(synAcks).toHaveLength(3);
  expect(listener.synQueueLen).toBe(3);
  for (let i = 0; i < 2; i++) listener.onSegment(finalAck(synAcks[i]!.seg), peers[i]!, SERVER, 1000);
  expect(listener.acceptQueueLen).toBe(2);
  expect(out.take()).toEqual([]);
  return { ...made, synAck: synAcks[2]!.seg };
}

describe('single queue + SYN cache, listener that never accepts', () => {
  for (const profile of ['rfc9293', 'linux'] as const) {
    it(`${profile}: a final ACK finding the accept queue full keeps the request and sends nothing`, () => {
      const { out, listener, host, synAck } = fillAcceptQueue(profile);
      expect(() => listener.onSegment(finalAck(synAck), CLIENT, SERVER, 3000)).not.toThrow();
      expect(out.take()).toEqual([]);
      expect(listener.synQueueLen).toBe(1);
      expect(listener.acceptQueueLen).toBe(2);
      expect(listener.stats.acceptDropAck).toBe(1);
      expect(host.children).toHaveLength(2);
      // the request's timer resends the SYN-ACK 1 s after it was first sent
      runTimers(listener, out, 1 * SEC);
      const resent = out.take();
      expect(resent.map((s) => [s.t, s.retransmit, s.to, line(s)])).toEqual([
        [SEC, true, CLIENT, line({ ...resent[0]!, seg: synAck })],
      ]);
      // once the application accepts one, the peer's next ACK completes the handshake
      expect(listener.accept()).not.toBeNull();
      listener.onSegment(finalAck(resent[0]!.seg), CLIENT, SERVER, 2 * SEC);
      expect(out.take()).toEqual([]);
      expect(listener.synQueueLen).toBe(0);
      expect(listener.acceptQueueLen).toBe(2);
      expect(host.children).toHaveLength(3);
    });
  }

  it('tcp_abort_on_overflow: the final ACK is answered with RST and the request dropped', () => {
    const { out, listener, synAck } = fillAcceptQueue('rfc9293', { abortOnOverflow: true });
    listener.onSegment(finalAck(synAck), CLIENT, SERVER, 3000);
    expect(out.take().map(line)).toEqual([`R ${synAck.seq + 1}:${synAck.seq + 1}(0)`]);
    expect(listener.synQueueLen).toBe(0);
    expect(listener.stats.acceptAbort).toBe(1);
  });

  it('a SYN arriving while the accept queue is full is dropped, as Linux does (ListenOverflows)', () => {
    const { out, listener } = fillAcceptQueue('rfc9293');
    listener.onSegment(syn(40009, 0), CLIENT, SERVER, 2000);
    // the cache has room but the accept queue is full: no SYN-ACK
    expect(out.take()).toEqual([]);
    expect(listener.stats.acceptDropSyn).toBe(1);
  });
});
