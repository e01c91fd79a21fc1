/**
 * Closing: every path through FIN-WAIT-1/2, CLOSING, TIME-WAIT, CLOSE-WAIT and LAST-ACK, Linux's
 * resets on close (unread data, SO_LINGER 0, data after close), shutdown() and half-close.
 * Sequences follow the Linux gtests in shared/conformance/packetdrill (close/, shutdown/).
 */
import { describe, expect, test } from 'vitest';
import { TcpState } from '../../src/tcp/api.ts';
import { tcpParams } from '../../src/tcp/params.ts';
import { MS, SEC } from '../../src/sim/time.ts';
import { Pair, activeEstablished, passiveEstablished, synSent } from './harness.ts';

describe('active close', () => {
  test('FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT (close-local-close-then-remote-fin.pkt)', () => {
    const t = activeEstablished();
    t.c.send(1000, t.now);
    expect(t.sent()).toEqual(['P. 1:1001(1000) ack 1']);
    expect(t.in('. 1:1(0) ack 1001 win 257')).toEqual([]);
    t.c.close(t.now);
    expect(t.sent()).toEqual(['F. 1001:1001(0) ack 1']);
    expect(t.in('. 1:1(0) ack 1002 win 257')).toEqual([]);
    expect(t.in('F. 1:1(0) ack 1002 win 257')).toEqual(['. 1002:1002(0) ack 2']);
    expect(t.rec.takeStates()).toEqual(['ESTABLISHED>FIN_WAIT_1', 'FIN_WAIT_1>FIN_WAIT_2', 'FIN_WAIT_2>TIME_WAIT']);
    expect(t.c.deadline).toBe(t.now + 60 * SEC);
  });

  test('a FIN that also acknowledges ours: FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT, as Linux records it', () => {
    const t = activeEstablished();
    t.c.close(t.now);
    expect(t.sent()).toEqual(['F. 1:1(0) ack 1']);
    expect(t.in('F. 1:1(0) ack 2 win 257')).toEqual(['. 2:2(0) ack 2']);
    // one segment, two steps: its ACK (tcp_rcv_state_process: FIN_WAIT2), then its FIN (tcp_fin: TIME-WAIT)
    expect(t.rec.takeStates()).toEqual(['ESTABLISHED>FIN_WAIT_1', 'FIN_WAIT_1>FIN_WAIT_2', 'FIN_WAIT_2>TIME_WAIT']);
  });

  test('data already sent: the FIN follows on its own; sending after shutdown(wr) is EPIPE', () => {
    const t = activeEstablished();
    t.c.send(2500, t.now);
    t.c.shutdown('wr', t.now);
    // Two-segment TSO packets carry PSH (Linux __tcp_transmit_skb), the tail of the write its own.
    expect(t.sent()).toEqual([
      '. 1:1001(1000) ack 1',
      'P. 1001:2001(1000) ack 1',
      'P. 2001:2501(500) ack 1',
      'F. 2501:2501(0) ack 1',
    ]);
    expect(t.c.send(10, t.now)).toBe(-1);
    expect(t.c.sendErrno()).toBe('EPIPE');
  });

  test('a FIN waiting behind data blocked by the window goes out with it (shutdown-rdwr-send-queue-ack-close.pkt)', () => {
    const t = passiveEstablished();
    t.c.send(20000, t.now);
    expect(t.sent()).toHaveLength(10); // the initial window
    t.c.shutdown('rdwr', t.now);
    expect(t.sent()).toEqual([]);
    expect(t.c.recv(1000, t.now)).toBe(0);
    expect(t.c.send(1000, t.now)).toBe(-1);
    t.at(t.now + 10 * MS);
    const out = t.in('. 1:1(0) ack 10001 win 257');
    expect(out).toHaveLength(10);
    expect(out.at(-1)).toBe('FP. 19001:20001(1000) ack 1');
    expect(t.in('. 1:1(0) ack 20002 win 257')).toEqual([]);
    expect(t.in('F. 1:1(0) ack 20002 win 257')).toEqual(['. 20002:20002(0) ack 2']);
    expect(t.c.state).toBe(TcpState.TIME_WAIT);
  });

  test('FIN retransmitted on RTO while unacknowledged', () => {
    const t = activeEstablished();
    t.c.close(t.now);
    t.sent();
    expect(t.runTimers(t.now + 1000 * MS)).toEqual(['400 F. 1:1(0) ack 1', '1000 F. 1:1(0) ack 1']);
  });
});

describe('simultaneous close', () => {
  test('FIN_WAIT_1 → CLOSING → TIME_WAIT on both sides', () => {
    const p = tcpParams('linux', { timers: 'exact' });
    const pair = new Pair(10 * MS, [p, p]);
    pair.listen();
    const a = pair.connect(0);
    pair.run(100 * MS);
    const b = pair.conn[1]!;
    expect(b.state).toBe(TcpState.ESTABLISHED);
    pair.log.length = 0;
    a.close(pair.now);
    b.close(pair.now);
    pair.run(200 * MS);
    expect(pair.log).toEqual([
      '100 a>b F. 1:1(0) ack 1',
      '100 b>a F. 1:1(0) ack 1',
      '110 b>a . 2:2(0) ack 2',
      '110 a>b . 2:2(0) ack 2',
    ]);
    for (const side of [0, 1] as const) {
      expect(pair.rec[side].states.slice(-3)).toEqual([
        'ESTABLISHED>FIN_WAIT_1',
        'FIN_WAIT_1>CLOSING',
        'CLOSING>TIME_WAIT',
      ]);
    }
    pair.run(70 * SEC);
    expect(a.state).toBe(TcpState.CLOSED);
    expect(b.state).toBe(TcpState.CLOSED);
    expect(pair.rec[0].events.at(-1)).toBe('FREED');
  });
});

describe('passive close', () => {
  test('CLOSE_WAIT → LAST_ACK → CLOSED, then RST for anything later (close-remote-fin-then-close.pkt)', () => {
    const t = passiveEstablished();
    t.at(t.now + 10 * MS);
    // No data received yet (ATO 0): the FIN's ACK goes at once.
    expect(t.in('F. 1:1(0) ack 1 win 257')).toEqual(['. 1:1(0) ack 2']);
    expect(t.c.recv(1000, t.now)).toBe(0);
    t.at(t.now + 10 * MS);
    t.c.close(t.now);
    expect(t.sent()).toEqual(['F. 1:1(0) ack 2']);
    t.at(t.now + 10 * MS);
    expect(t.in('. 2:2(0) ack 2 win 257')).toEqual([]);
    expect(t.rec.takeStates()).toEqual(['ESTABLISHED>CLOSE_WAIT', 'CLOSE_WAIT>LAST_ACK', 'LAST_ACK>CLOSED']);
    expect(t.rec.takeEvents()).toEqual(['READABLE', 'FREED']);
    expect(t.in('. 2:2(0) ack 2 win 257')).toEqual(['R 2:2(0)']);
  });

  test('after data, the FIN is acknowledged after the 40 ms delayed-ACK timeout (tcp_basic_server.pkt)', () => {
    const t = passiveEstablished();
    expect(t.in('P. 1:1001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 1001']);
    expect(t.c.recv(1000, t.now)).toBe(1000);
    expect(t.in('F. 1001:1001(0) ack 1 win 257')).toEqual([]);
    expect(t.runTimers(t.now + 1 * SEC)).toEqual(['140 . 1:1(0) ack 1002']);
    t.c.close(t.now);
    expect(t.sent()).toEqual(['F. 1:1(0) ack 1002']);
  });

  test('closing at once puts the ACK of the FIN on our FIN', () => {
    const t = passiveEstablished();
    t.in('P. 1:1001(1000) ack 1 win 257');
    t.c.recv(1000, t.now);
    t.in('F. 1001:1001(0) ack 1 win 257');
    t.c.close(t.now);
    expect(t.sent()).toEqual(['F. 1:1(0) ack 1002']);
    expect(t.runTimers(t.now + 100 * MS)).toEqual([]);
  });

  test('half-close: data keeps flowing from us in CLOSE_WAIT', () => {
    const t = passiveEstablished();
    t.in('F. 1:1(0) ack 1 win 257');
    expect(t.c.state).toBe(TcpState.CLOSE_WAIT);
    expect(t.c.send(3000, t.now)).toBe(3000);
    expect(t.sent()).toEqual(['. 1:1001(1000) ack 2', 'P. 1001:2001(1000) ack 2', 'P. 2001:3001(1000) ack 2']);
    t.in('. 2:2(0) ack 3001 win 257');
    expect(t.c.bytesAcked).toBe(3000);
    // Text after the peer's FIN is ignored.
    expect(t.in('P. 2:102(100) ack 3001 win 257')).toEqual([]);
    expect(t.c.readable).toBe(0);
    t.c.close(t.now);
    expect(t.sent()).toEqual(['F. 3001:3001(0) ack 2']);
    t.in('. 2:2(0) ack 3002 win 257');
    expect(t.c.state).toBe(TcpState.CLOSED);
  });
});

describe('resets on close (Linux tcp_close)', () => {
  test('close() with unread data sends RST|ACK and frees the connection (RFC 2525 2.17)', () => {
    const t = passiveEstablished();
    t.in('P. 1:1001(1000) ack 1 win 257');
    t.c.close(t.now);
    expect(t.sent()).toEqual(['R. 1:1(0) ack 1001']);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeEvents()).toEqual(['READABLE', 'FREED']);
  });

  test('no RST when everything was read, even after a retransmitted FIN with data (tcp_close_no_rst.pkt)', () => {
    const t = passiveEstablished();
    t.in('. 1:1001(1000) ack 1 win 257');
    t.c.recv(1000, t.now);
    t.in('F. 1:1001(1000) ack 1 win 257');
    t.c.close(t.now);
    expect(t.sent()).toEqual(['F. 1:1(0) ack 1002']);
  });

  test('SO_LINGER 0: close() sends RST|ACK', () => {
    const t = activeEstablished();
    t.c.setLingerZero(true);
    t.c.close(t.now);
    expect(t.sent()).toEqual(['R. 1:1(0) ack 1']);
    expect(t.c.state).toBe(TcpState.CLOSED);
  });

  test('data arriving after close() is answered with RST (user_timeout.pkt end)', () => {
    const t = passiveEstablished();
    t.c.close(t.now);
    expect(t.sent()).toEqual(['F. 1:1(0) ack 1']);
    expect(t.in('. 1:2(1) ack 1 win 32792')).toEqual(['R 1:1(0)']);
    expect(t.c.state).toBe(TcpState.CLOSED);
  });

  test('in FIN_WAIT_2 too, once the socket is closed', () => {
    const t = passiveEstablished();
    t.c.close(t.now);
    t.sent();
    t.in('. 1:1(0) ack 2 win 257');
    expect(t.c.state).toBe(TcpState.FIN_WAIT_2);
    expect(t.in('P. 1:101(100) ack 2 win 257')).toEqual(['R 2:2(0)']);
    expect(t.c.state).toBe(TcpState.CLOSED);
  });

  test('abort() sends RST where the peer holds state; not in SYN_SENT', () => {
    const t = activeEstablished();
    t.c.abort(t.now);
    expect(t.sent()).toEqual(['R. 1:1(0) ack 1']);
    expect(t.rec.takeEvents()).toEqual(['FREED']);
    const s = synSent();
    s.c.abort(0);
    expect(s.sent()).toEqual([]);
    expect(s.c.state).toBe(TcpState.CLOSED);
  });

  test('destroy() goes silently to CLOSED and frees', () => {
    const t = activeEstablished();
    t.c.close(t.now);
    t.in('F. 1:1(0) ack 2 win 257');
    t.sent();
    t.c.destroy(t.now);
    expect(t.sent()).toEqual([]);
    expect(t.rec.takeStates().at(-1)).toBe('TIME_WAIT>CLOSED');
    expect(t.rec.takeEvents()).toEqual(['FREED']);
    expect(t.c.deadline).toBe(Infinity);
  });
});

describe('shutdown()', () => {
  test('shutdown(wr): FIN now, reading still works in FIN_WAIT_2 (shutdown-wr-close.pkt)', () => {
    const t = passiveEstablished();
    t.at(t.now + 10 * MS);
    t.c.shutdown('wr', t.now);
    expect(t.sent()).toEqual(['F. 1:1(0) ack 1']);
    expect(t.in('. 1:1(0) ack 2 win 257')).toEqual([]);
    expect(t.c.send(1000, t.now)).toBe(-1);
    expect(t.c.sendErrno()).toBe('EPIPE');
    t.at(t.now + 10 * MS);
    expect(t.in('. 1:1001(1000) ack 2 win 257')).toEqual(['. 2:2(0) ack 1001']);
    expect(t.c.recv(1000, t.now)).toBe(1000);
    t.c.close(t.now);
    expect(t.in('F. 1001:1001(0) ack 2 win 257')).toEqual(['. 2:2(0) ack 1002']);
    expect(t.c.state).toBe(TcpState.TIME_WAIT);
  });

  test('shutdown(rd): nothing sent; reads return 0, yet arriving data is still taken (shutdown-rd-wr-close.pkt)', () => {
    const t = passiveEstablished();
    t.c.shutdown('rd', t.now);
    expect(t.sent()).toEqual([]);
    expect(t.c.recv(1000, t.now)).toBe(0);
    expect(t.in('. 1:1001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 1001']);
    expect(t.c.recv(1000, t.now)).toBe(1000);
    t.c.send(1000, t.now);
    expect(t.sent()).toEqual(['P. 1:1001(1000) ack 1001']);
  });

  test('shutdown(rdwr) then FIN from the peer: TIME_WAIT (shutdown-rdwr-close.pkt)', () => {
    const t = passiveEstablished();
    t.c.shutdown('rdwr', t.now);
    expect(t.sent()).toEqual(['F. 1:1(0) ack 1']);
    t.in('. 1:1(0) ack 2 win 257');
    expect(t.c.recv(1000, t.now)).toBe(0);
    t.c.close(t.now);
    expect(t.in('F. 1:1(0) ack 2 win 257')).toEqual(['. 2:2(0) ack 2']);
  });
});
