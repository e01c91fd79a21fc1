/**
 * Resets, sent and received: RFC 9293 3.10.7 and RFC 5961 with Linux's choices (challenge ACKs
 * rate limited per connection to one per 500 ms, tcp_invalid_ratelimit, the global limit being
 * off since Linux 6.0), the errno a reset leaves (Linux tcp_reset), Linux's timewait-sock rules
 * for a closed FIN-WAIT-2, and the resets close() sends (unread data, SO_LINGER 0).
 */
import { describe, expect, test } from 'vitest';
import { TcpState } from '../../src/tcp/api.ts';
import { MS, SEC } from '../../src/sim/time.ts';
import { ACK, RST } from '../../src/wire/segment.ts';
import { activeEstablished, passiveEstablished, synSent, type OpenOptions, type Trace } from './harness.ts';

describe('challenge ACKs and their rate limit (RFC 5961, Linux tcp_oow_rate_limited)', () => {
  test('a SYN and an in-window RST share one limit: one challenge ACK per 500 ms', () => {
    const t = passiveEstablished();
    expect(t.in('S 1:1(0) win 1000')).toEqual(['. 1:1(0) ack 1']);
    t.at(t.now + 499 * MS);
    expect(t.in('R 500:500(0) win 0')).toEqual([]);
    expect(t.in('S 1:1(0) win 1000')).toEqual([]);
    t.at(t.now + 1 * MS);
    expect(t.in('R 500:500(0) win 0')).toEqual(['. 1:1(0) ack 1']);
    expect(t.c.state).toBe(TcpState.ESTABLISHED);
  });

  test('an out-of-window segment with data is acknowledged every time; a bare one at most every 500 ms', () => {
    const t = passiveEstablished();
    for (let i = 0; i < 3; i++) expect(t.in('P. 900001:900101(100) ack 1 win 257')).toEqual(['. 1:1(0) ack 1']);
    expect(t.in('. 900001:900001(0) ack 1 win 257')).toEqual(['. 1:1(0) ack 1']);
    expect(t.in('. 900001:900001(0) ack 1 win 257')).toEqual([]);
    expect(t.in('P. 900001:900101(100) ack 1 win 257')).toEqual(['. 1:1(0) ack 1']);
    t.at(t.now + 500 * MS);
    expect(t.in('. 900001:900001(0) ack 1 win 257')).toEqual(['. 1:1(0) ack 1']);
  });
});

describe('the error a reset leaves', () => {
  function closeWait(o: OpenOptions): Trace {
    const t = activeEstablished(o);
    t.in('F. 1:1(0) ack 1 win 65535');
    t.rec.takeEvents();
    return t;
  }

  test('CLOSE_WAIT: EPIPE on Linux, ECONNRESET in RFC 9293', () => {
    const linux = closeWait({});
    linux.in('R 2:2(0) win 0');
    expect(linux.rec.takeEvents()).toEqual(['ERROR:EPIPE', 'FREED']);
    const rfc = closeWait({ profile: 'rfc9293' });
    rfc.in('R 2:2(0) win 0');
    expect(rfc.rec.takeEvents()).toEqual(['ERROR:ECONNRESET', 'FREED']);
  });

  test('LAST_ACK after shutdown(wr): ECONNRESET on Linux, nothing in RFC 9293 ("enter CLOSED and return")', () => {
    for (const [profile, events] of [
      ['linux', ['ERROR:ECONNRESET', 'FREED']],
      ['rfc9293', ['FREED']],
    ] as const) {
      const t = closeWait({ profile });
      t.c.shutdown('wr', t.now);
      expect(t.c.state).toBe(TcpState.LAST_ACK);
      t.in('R 2:2(0) win 0');
      expect(t.rec.takeEvents()).toEqual(events);
    }
  });

  test('a closed socket hears nothing: FREED only', () => {
    const t = activeEstablished();
    t.c.close(t.now);
    t.in('R 1:1(0) win 0');
    expect(t.rec.takeEvents()).toEqual(['FREED']);
  });
});

describe('a closed FIN-WAIT-2 as Linux keeps it (timewait sock, substate FIN_WAIT2)', () => {
  function orphan(o: OpenOptions = {}): Trace {
    const t = activeEstablished(o);
    t.c.close(t.now);
    t.in('. 1:1(0) ack 2 win 65535');
    expect(t.c.state).toBe(TcpState.FIN_WAIT_2);
    t.rec.take();
    t.rec.takeStates();
    t.rec.takeEvents();
    return t;
  }

  test('any RST inside the window kills it silently (no challenge ACK)', () => {
    const t = orphan();
    expect(t.in('R 500:500(0) win 0')).toEqual([]);
    expect(t.rec.takeStates()).toEqual(['FIN_WAIT_2>CLOSED']);
  });

  test('a SYN at or beyond RCV.NXT is answered with RST and kills it', () => {
    const t = orphan();
    t.c.onSegment(t.peer('S 100:100(0) win 65535'), t.now);
    // <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>, absolute sequence 0
    expect(t.rec.take().map((s) => [s.seg.flags, s.seg.seq, s.seg.ack - t.peerIss])).toEqual([[RST | ACK, 0, 101]]);
    expect(t.c.state).toBe(TcpState.CLOSED);
  });

  test('out of the window: an ACK (rate limited), the connection stays', () => {
    const t = orphan();
    expect(t.in('. 900000:900000(0) ack 2 win 65535')).toEqual(['. 2:2(0) ack 1']);
    expect(t.in('R 900000:900000(0) win 0')).toEqual([]);
    t.at(t.now + 500 * MS);
    expect(t.in('R 900000:900000(0) win 0')).toEqual(['. 2:2(0) ack 1']);
    expect(t.c.state).toBe(TcpState.FIN_WAIT_2);
  });

  test('a duplicate ACK is ignored; the FIN is acknowledged and starts TIME-WAIT', () => {
    const t = orphan();
    expect(t.in('. 1:1(0) ack 2 win 65535')).toEqual([]);
    t.at(t.now + 1 * SEC);
    expect(t.in('F. 1:1(0) ack 2 win 65535')).toEqual(['. 2:2(0) ack 2']);
    expect(t.rec.takeStates()).toEqual(['FIN_WAIT_2>TIME_WAIT']);
    expect(t.c.deadline).toBe(t.now + 60 * SEC);
  });

  test('an open socket in FIN_WAIT_2 (shutdown(wr)) and the rfc9293 profile keep RFC 5961: challenge ACK', () => {
    const open = activeEstablished();
    open.c.shutdown('wr', open.now);
    open.in('. 1:1(0) ack 2 win 65535');
    open.sent();
    expect(open.in('R 500:500(0) win 0')).toEqual(['. 2:2(0) ack 1']);
    expect(open.c.state).toBe(TcpState.FIN_WAIT_2);
    const rfc = orphan({ profile: 'rfc9293' });
    expect(rfc.in('R 500:500(0) win 0')).toEqual(['. 2:2(0) ack 1']);
    expect(rfc.c.state).toBe(TcpState.FIN_WAIT_2);
  });
});

describe('resets from close() (Linux tcp_close, tcp_disconnect)', () => {
  test('unread data in CLOSE_WAIT: RST instead of FIN', () => {
    const t = passiveEstablished();
    t.in('P. 1:101(100) ack 1 win 257');
    t.in('F. 101:101(0) ack 1 win 257');
    t.sent();
    t.c.close(t.now);
    expect(t.sent()).toEqual(['R. 1:1(0) ack 102']);
    expect(t.rec.takeStates().at(-1)).toBe('CLOSE_WAIT>CLOSED');
  });

  test('SO_LINGER 0 in LAST_ACK: RST while our FIN waits behind a zero window, silence once it is out', () => {
    const t = passiveEstablished();
    t.c.send(1000, t.now);
    t.sent();
    t.in('F. 1:1(0) ack 1001 win 0');
    t.c.send(500, t.now);
    t.c.shutdown('wr', t.now);
    expect(t.c.state).toBe(TcpState.LAST_ACK);
    expect(t.sent()).toEqual([]); // data and FIN held by the zero window
    t.c.setLingerZero(true);
    t.c.close(t.now);
    expect(t.sent()).toEqual(['R. 1001:1001(0) ack 2']);

    const u = passiveEstablished();
    u.in('F. 1:1(0) ack 1 win 257');
    u.c.shutdown('wr', u.now);
    expect(u.sent()).toEqual(['F. 1:1(0) ack 2']);
    u.c.setLingerZero(true);
    u.c.close(u.now);
    expect(u.sent()).toEqual([]);
    expect(u.c.state).toBe(TcpState.CLOSED);
  });

  test('SO_LINGER 0: RST|ACK from ESTABLISHED, nothing from SYN_SENT (the peer holds no state)', () => {
    const t = activeEstablished();
    t.c.setLingerZero(true);
    t.c.close(t.now);
    expect(t.sent()).toEqual(['R. 1:1(0) ack 1']);
    const s = synSent();
    s.c.setLingerZero(true);
    s.c.close(s.now);
    expect(s.sent()).toEqual([]);
    expect(s.c.state).toBe(TcpState.CLOSED);
  });
});
