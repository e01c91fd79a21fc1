/**
 * Opening: the SYN Linux sends, SYN retransmission timelines and give-up, the SYN-SENT rules
 * (RFC 9293 3.10.7.3), option negotiation, the passive side built from a handshake, and a
 * simultaneous open between two engines.
 */
import { describe, expect, test } from 'vitest';
import { TcpState } from '../../src/tcp/api.ts';
import { Connection } from '../../src/tcp/connection.ts';
import type { HandshakeInfo } from '../../src/tcp/handshake.ts';
import { tcpParams } from '../../src/tcp/params.ts';
import { MS, SEC } from '../../src/sim/time.ts';
import { EP, OUR_ISS, PEER_ISS, Pair, Recorder, Trace, activeEstablished, full, synSent } from './harness.ts';

describe('active open', () => {
  test('a Linux SYN: window 64240, <mss 1460,sackOK,TS,nop,wscale 7>', () => {
    const rec = new Recorder();
    const c = Connection.connect(EP, tcpParams('linux', { timers: 'exact' }), OUR_ISS, 0, rec, 4242);
    expect(rec.sent.map((s) => full(s.seg))).toEqual([
      'S 0:0(0) win 64240 <mss 1460,sackOK,TS val 4242 ecr 0,nop,wscale 7>',
    ]);
    expect(rec.states).toEqual(['CLOSED>SYN_SENT']);
    expect(c.state).toBe(TcpState.SYN_SENT);
    expect(c.deadline).toBe(1 * SEC);
  });

  test('without SACK and timestamps the SYN carries only what is on', () => {
    const rec = new Recorder();
    Connection.connect(
      EP,
      tcpParams('linux', { timers: 'exact', sack: false, timestamps: false, windowScaling: false }),
      OUR_ISS,
      0,
      rec,
    );
    expect(full(rec.sent[0]!.seg)).toBe('S 0:0(0) win 64240 <mss 1460>');
  });

  test('linux: SYNs at 0,1,2,3,4,5,7,11,19,35,67 s and ETIMEDOUT at 131 s', () => {
    const t = synSent();
    const out = t.runTimers(200 * SEC);
    expect(out).toEqual(
      ['1000', '2000', '3000', '4000', '5000', '7000', '11000', '19000', '35000', '67000'].map(
        (ms) => `${ms} S 0:0(0)`,
      ),
    );
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeStates()).toEqual(['SYN_SENT>CLOSED']);
    expect(t.rec.takeEvents()).toEqual(['ERROR:ETIMEDOUT', 'FREED']);
    expect(t.c.retransmissions).toBe(10);
    expect(t.c.takeError()).toBe('ETIMEDOUT');
    expect(t.c.deadline).toBe(Infinity);
  });

  test('the give-up happens exactly at 131 s', () => {
    const t = synSent();
    t.runTimers(131 * SEC - 1);
    expect(t.c.state).toBe(TcpState.SYN_SENT);
    expect(t.c.deadline).toBe(131 * SEC);
    t.runTimers(131 * SEC);
    expect(t.c.state).toBe(TcpState.CLOSED);
  });

  test('linux with synLinearTimeouts 0: classic 0,1,3,7,15,31,63 s, ETIMEDOUT at 127 s', () => {
    const t = synSent({ params: { synLinearTimeouts: 0 } });
    expect(t.runTimers(126 * SEC)).toEqual(
      ['1000', '3000', '7000', '15000', '31000', '63000'].map((ms) => `${ms} S 0:0(0)`),
    );
    expect(t.c.state).toBe(TcpState.SYN_SENT);
    t.runTimers(127 * SEC);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeEvents()).toEqual(['ERROR:ETIMEDOUT', 'FREED']);
  });

  // Measured on Linux 6.18 (HZ 250) in a network namespace, connect() to a silent host with
  // tcp_syn_linear_timeouts 4 (docs/linux-fidelity.md): the time tcp_syn_retries models,
  // (2^(n+1) − 1) s, ends the attempt before the retry count does for n = 1 and 2.
  test.each([
    [1, ['1000', '2000'], 3],
    [2, ['1000', '2000', '3000', '4000', '5000'], 7],
    [3, ['1000', '2000', '3000', '4000', '5000', '7000', '11000'], 19],
    [4, ['1000', '2000', '3000', '4000', '5000', '7000', '11000', '19000'], 35],
    [5, ['1000', '2000', '3000', '4000', '5000', '7000', '11000', '19000', '35000'], 67],
  ])(
    'tcp_syn_retries=%i, linear 4: retransmissions at %j ms, ETIMEDOUT at %i s, as Linux 6.18',
    (retries, syns, endSec) => {
      const t = synSent({ params: { synRetries: retries, synLinearTimeouts: 4 } });
      expect(t.runTimers(endSec * SEC - 1).map((l) => l.split(' ')[0])).toEqual(syns);
      expect(t.c.state).toBe(TcpState.SYN_SENT);
      expect(t.runTimers(endSec * SEC)).toEqual([]);
      expect(t.c.state).toBe(TcpState.CLOSED);
      expect(t.c.takeError()).toBe('ETIMEDOUT');
    },
  );

  test('TCP_USER_TIMEOUT bounds SYN-SENT: 2.5 s gives SYNs at 0, 1, 2 s and ETIMEDOUT at 2.5 s (Linux 6.18: 2.53 s)', () => {
    const t = synSent({ params: { userTimeout: 2500 * MS } });
    expect(t.runTimers(2500 * MS - 1).map((l) => l.split(' ')[0])).toEqual(['1000', '2000']);
    expect(t.c.deadline).toBe(2500 * MS);
    t.runTimers(2500 * MS);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.c.takeError()).toBe('ETIMEDOUT');
  });

  test('rfc9293: exponential backoff to the 60 s maximum, give up after 3 minutes (R2)', () => {
    const t = synSent({ profile: 'rfc9293' });
    expect(t.runTimers(179 * SEC).map((l) => l.split(' ')[0])).toEqual([
      '1000',
      '3000',
      '7000',
      '15000',
      '31000',
      '63000',
      '123000',
    ]);
    expect(t.c.deadline).toBe(180 * SEC);
    t.runTimers(180 * SEC);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeEvents()).toEqual(['ERROR:ETIMEDOUT', 'FREED']);
  });

  test('SYN-ACK: ACK at once, CONNECTED, handshake time and an RTT sample', () => {
    const t = synSent();
    t.at(100 * MS);
    expect(t.in('S. 0:0(0) ack 1 win 65535 <mss 1000>')).toEqual(['. 1:1(0) ack 1']);
    expect(t.rec.takeStates()).toEqual(['SYN_SENT>ESTABLISHED']);
    expect(t.rec.takeEvents()).toEqual(['CONNECTED']);
    expect(t.c.handshakeTime).toBe(100 * MS);
    expect(t.c.srtt).toBe(100 * MS);
    // Linux RTO: SRTT + max(4 RTTVAR, 200 ms) = 100 + 200 ms.
    expect(t.c.rto).toBe(300 * MS);
    expect(t.c.mss).toBe(1000);
    expect(t.c.deadline).toBe(Infinity);
  });

  test('data written during SYN-SENT rides on the third ACK', () => {
    const t = synSent();
    expect(t.c.send(500, 0)).toBe(500);
    expect(t.sent()).toEqual([]);
    t.at(100 * MS);
    expect(t.in('S. 0:0(0) ack 1 win 65535 <mss 1000>')).toEqual(['P. 1:501(500) ack 1']);
  });

  test('negotiation: timestamps, scaled window, effective MSS = min(1460, peer) − 12', () => {
    const t = synSent();
    t.at(50 * MS);
    const out = t.in('S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 700 ecr 0,nop,wscale 2>');
    expect(out).toEqual(['. 1:1(0) ack 1']);
    expect(t.c.tsOk && t.c.sackOk && t.c.wscaleOk).toBe(true);
    expect(t.c.sndWscale).toBe(2);
    expect(t.c.rcvWscale).toBe(7);
    expect(t.c.mss).toBe(1448);
    expect(t.c.sndWnd).toBe(65535); // the SYN-ACK's own window is never scaled
    t.c.send(10, t.now);
    expect(t.rec.take().map((s) => full(s.seg))).toEqual(['P. 1:11(10) ack 1 win 502 <nop,nop,TS val 50 ecr 700>']);
  });

  test('no MSS option means 536; no wscale from the peer means no scaling either way', () => {
    const t = synSent();
    t.at(10 * MS);
    t.in('S. 0:0(0) ack 1 win 5000');
    expect(t.c.mss).toBe(536);
    expect(t.c.rcvWscale).toBe(0);
    t.c.send(10, t.now);
    expect(t.rec.take().map((s) => full(s.seg))).toEqual(['P. 1:11(10) ack 1 win 64240']);
  });

  test('a SYN-ACK acknowledging something else is answered with <SEQ=SEG.ACK><CTL=RST>', () => {
    const t = synSent();
    expect(t.in('S. 0:0(0) ack 5 win 65535')).toEqual(['R 5:5(0)']);
    expect(t.in('. 0:0(0) ack 0 win 65535')).toEqual(['R 0:0(0)']);
    expect(t.c.state).toBe(TcpState.SYN_SENT);
  });

  test('RST with an acceptable ACK refuses the connection; without ACK or with a bad one it is ignored', () => {
    const t = synSent();
    expect(t.in('R 0:0(0) win 0')).toEqual([]);
    expect(t.in('R. 0:0(0) ack 7 win 0')).toEqual([]);
    expect(t.c.state).toBe(TcpState.SYN_SENT);
    expect(t.in('R. 0:0(0) ack 1 win 0')).toEqual([]);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeEvents()).toEqual(['ERROR:ECONNREFUSED', 'FREED']);
  });

  test('a SYN-ACK echoing a timestamp our SYN never carried gets R SEG.ACK and is otherwise ignored (Linux PAWSActiveRejected; fastopen/client/synack-data.pkt)', () => {
    const t = synSent({ tsOffset: 5000 }); // our SYN at 0 carried TS val 5000
    t.at(10 * MS); // now TS val 5010
    expect(t.in('S. 0:0(0) ack 1 win 5840 <mss 1040,TS val 1000000 ecr 5011,sackOK,nop,wscale 6>')).toEqual([
      'R 1:1(0)',
    ]);
    expect(t.in('S. 0:0(0) ack 1 win 5840 <mss 1040,TS val 1000000 ecr 4999,sackOK,nop,wscale 6>')).toEqual([
      'R 1:1(0)',
    ]);
    expect(t.in('R. 0:0(0) ack 1 win 0 <TS val 1000000 ecr 9999>')).toEqual([]); // a RST is not answered, and refuses nothing
    expect(t.c.state).toBe(TcpState.SYN_SENT);
    // an echo of what we sent establishes the connection
    expect(t.in('S. 0:0(0) ack 1 win 5840 <mss 1040,TS val 1000000 ecr 5000,sackOK,nop,wscale 6>')).toEqual([
      '. 1:1(0) ack 1',
    ]);
    expect(t.c.state).toBe(TcpState.ESTABLISHED);
  });

  test('TCP_INFO tcpi_delivered: one for the SYN the SYN-ACK acknowledges, then one per data segment acknowledged (Linux tp->delivered)', () => {
    const t = synSent({ params: { timestamps: false } });
    expect(t.c.tcpInfo(0).delivered).toBe(0);
    t.at(10 * MS);
    t.in('S. 0:0(0) ack 1 win 65535 <mss 1000>');
    expect(t.c.tcpInfo(10 * MS).delivered).toBe(1);
    t.c.send(2000, 10 * MS);
    t.at(20 * MS);
    t.in('. 1:1(0) ack 1001 win 65535');
    expect(t.c.tcpInfo(20 * MS).delivered).toBe(2);
    t.in('. 1:1(0) ack 2001 win 65535');
    expect(t.c.tcpInfo(20 * MS).delivered).toBe(3);
  });

  test('close() in SYN-SENT sends nothing; the late SYN-ACK gets R 1:1(0) (close-on-syn-sent.pkt)', () => {
    const t = synSent();
    t.c.close(0);
    expect(t.sent()).toEqual([]);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeEvents()).toEqual(['FREED']);
    t.at(100 * MS);
    expect(t.in('S. 0:0(0) ack 1 win 32000 <mss 1460,nop,wscale 7>')).toEqual(['R 1:1(0)']);
  });

  test('after a retransmitted SYN without timestamps, RTO falls back to 3 s (RFC 6298 5.7)', () => {
    const t = synSent({ params: { timestamps: false } });
    t.runTimers(1500 * MS);
    t.in('S. 0:0(0) ack 1 win 65535 <mss 1000>');
    expect(t.c.srtt).toBe(0);
    expect(t.c.rto).toBe(3 * SEC);
  });

  test('after a retransmitted SYN the timestamp echo gives the RTT (RFC 7323 4)', () => {
    const t = synSent();
    t.runTimers(1500 * MS); // second SYN at 1000 ms, TSval 1000
    t.in('S. 0:0(0) ack 1 win 65535 <mss 1460,TS val 9 ecr 1000>');
    expect(t.c.srtt).toBe(500 * MS);
  });
});

describe('passive open from the listener', () => {
  const info = (o: Partial<HandshakeInfo> = {}): HandshakeInfo => ({
    ep: EP,
    iss: OUR_ISS,
    irs: PEER_ISS,
    peerWindow: 29200,
    peerMss: 1460,
    peerWscale: 7,
    ourWscale: 7,
    sackOk: true,
    tsOk: true,
    tsRecent: 555,
    tsOffset: 90,
    synAckSentAt: 0,
    ...o,
  });

  test('fromHandshake reports SYN_RCVD → ESTABLISHED and takes an RTT sample from the SYN-ACK', () => {
    const rec = new Recorder();
    const c = Connection.fromHandshake(info(), tcpParams('linux', { timers: 'exact' }), 20 * MS, rec);
    expect(rec.states).toEqual(['SYN_RCVD>ESTABLISHED']);
    expect(rec.sent).toEqual([]);
    expect(c.srtt).toBe(20 * MS);
    expect(c.mss).toBe(1448);
    expect(c.sndWnd).toBe(29200);
    expect(c.deadline).toBe(Infinity);
  });

  test('data on the third ACK is received and acknowledged at once (quick-ACK mode)', () => {
    const rec = new Recorder();
    const c = Connection.fromHandshake(info({ tsOk: false }), tcpParams('linux', { timers: 'exact' }), 20 * MS, rec);
    const t = new Trace(c, rec).at(20 * MS);
    expect(t.in('P. 1:101(100) ack 1 win 229')).toEqual(['. 1:1(0) ack 101']);
    expect(c.readable).toBe(100);
    expect(c.sndWnd).toBe(229 * 128); // the third ACK's window is scaled
    expect(rec.takeEvents()).toEqual(['READABLE']);
  });

  test('a FIN on the third ACK moves straight on to CLOSE_WAIT', () => {
    const rec = new Recorder();
    const c = Connection.fromHandshake(info({ tsOk: false }), tcpParams('linux', { timers: 'exact' }), 20 * MS, rec);
    const t = new Trace(c, rec).at(20 * MS);
    t.in('F. 1:1(0) ack 1 win 229');
    expect(rec.takeStates()).toEqual(['SYN_RCVD>ESTABLISHED', 'ESTABLISHED>CLOSE_WAIT']);
    expect(c.eof).toBe(true);
  });

  test('a retransmitted SYN-ACK leaves RTO at 3 s and the initial window alone (Linux needs two)', () => {
    const rec = new Recorder();
    const c = Connection.fromHandshake(
      info({ synAckRetransmitted: true }),
      tcpParams('linux', { timers: 'exact' }),
      2 * SEC,
      rec,
    );
    expect(c.rto).toBe(3 * SEC);
    expect(c.cwnd).toBe(10 * 1448);
  });
});

describe('simultaneous open (RFC 9293 3.5 figure 7)', () => {
  test('crossed SYNs: SYN-RECEIVED, SYN-ACKs, then ESTABLISHED on both sides', () => {
    const p = tcpParams('linux', { timers: 'exact' });
    const pair = new Pair(10 * MS, [p, p]);
    const a = pair.connect(0);
    const b = pair.connect(1);
    pair.run(100 * MS);
    expect(pair.log).toEqual([
      '0 a>b S 0:0(0)',
      '0 b>a S 0:0(0)',
      '10 b>a S. 0:0(0) ack 1',
      '10 a>b S. 0:0(0) ack 1',
      '20 a>b . 1:1(0) ack 1',
      '20 b>a . 1:1(0) ack 1',
    ]);
    expect(pair.rec[0].states).toEqual(['CLOSED>SYN_SENT', 'SYN_SENT>SYN_RCVD', 'SYN_RCVD>ESTABLISHED']);
    expect(pair.rec[1].states).toEqual(['CLOSED>SYN_SENT', 'SYN_SENT>SYN_RCVD', 'SYN_RCVD>ESTABLISHED']);
    expect(pair.rec[0].events).toEqual(['CONNECTED']);
    expect(pair.rec[1].events).toEqual(['CONNECTED']);
    expect(a.state).toBe(TcpState.ESTABLISHED);
    expect(b.state).toBe(TcpState.ESTABLISHED);
    expect(a.tsOk && a.sackOk && a.wscaleOk).toBe(true);
    // Data flows both ways afterwards.
    a.send(3000, pair.now);
    b.send(100, pair.now);
    pair.run(1 * SEC);
    expect(b.readable).toBe(3000);
    expect(a.readable).toBe(100);
  });

  test('the SYN-ACK of a simultaneous open is retransmitted until answered', () => {
    const p = tcpParams('linux', { timers: 'exact' });
    const pair = new Pair(10 * MS, [p, p]);
    pair.connect(0);
    pair.connect(1);
    // b's SYN-ACK and ACKs are lost for a while: a stays in SYN-RECEIVED, resending its SYN-ACK.
    pair.drop = (_seg, from) => from === 1 && pair.now >= 5 * MS && pair.now < 3 * SEC;
    pair.run(5 * SEC);
    expect(pair.conn[0]!.state).toBe(TcpState.ESTABLISHED);
    expect(pair.conn[1]!.state).toBe(TcpState.ESTABLISHED);
    expect(pair.log.filter((l) => l.startsWith('1000 a>b S.') || l.startsWith('3000 a>b S.'))).toHaveLength(2);
  });
});

describe('simultaneous open, one side as a packet trace', () => {
  function crossed(profile: 'linux' | 'rfc9293' = 'linux'): Trace {
    const t = synSent({ profile });
    t.at(10 * MS);
    expect(t.in('S 0:0(0) win 65535 <mss 1000>')).toEqual(['S. 0:0(0) ack 1']);
    expect(t.rec.takeStates()).toEqual(['SYN_SENT>SYN_RCVD']);
    return t;
  }

  test('an unacceptable ACK in SYN-RECEIVED is answered with <SEQ=SEG.ACK><CTL=RST>; the connection stays', () => {
    const t = crossed();
    expect(t.in('. 1:1(0) ack 7 win 65535')).toEqual(['R 7:7(0)']);
    expect(t.c.state).toBe(TcpState.SYN_RCVD);
    expect(t.in('. 1:1(0) ack 1 win 65535')).toEqual([]);
    expect(t.c.state).toBe(TcpState.ESTABLISHED);
  });

  test('the SYN-ACK timer continues the SYN timer, backing off exponentially', () => {
    const t = crossed();
    expect(t.runTimers(8 * SEC)).toEqual(['1000 S. 0:0(0) ack 1', '3000 S. 0:0(0) ack 1', '7000 S. 0:0(0) ack 1']);
  });

  test('close() in SYN-RECEIVED: FIN now; the RTO resends the SYN-ACK, not the FIN as data', () => {
    const t = crossed();
    t.c.close(t.now);
    expect(t.sent()).toEqual(['F. 1:1(0) ack 1']);
    expect(t.rec.takeStates()).toEqual(['SYN_RCVD>FIN_WAIT_1']);
    expect(t.runTimers(1500 * MS)).toEqual(['1000 S. 0:0(0) ack 1']);
    // The peer acknowledges the SYN and then the FIN.
    t.at(1600 * MS);
    expect(t.in('. 1:1(0) ack 1 win 65535')).toEqual(['F. 1:1(0) ack 1']);
    expect(t.in('. 1:1(0) ack 2 win 65535')).toEqual([]);
    expect(t.rec.takeStates()).toEqual(['FIN_WAIT_1>FIN_WAIT_2']);
  });

  test('RST in SYN-RECEIVED: ECONNRESET on Linux (tcp_reset), "connection refused" in RFC 9293', () => {
    const linux = crossed('linux');
    linux.in('R 1:1(0) win 0');
    expect(linux.rec.takeEvents()).toEqual(['ERROR:ECONNRESET', 'FREED']);
    const rfc = crossed('rfc9293');
    rfc.in('R 1:1(0) win 0');
    expect(rfc.rec.takeEvents()).toEqual(['ERROR:ECONNREFUSED', 'FREED']);
  });
});

describe('SYN-SENT and an old connection at the peer', () => {
  test('an ACK that does not acknowledge our SYN: RST, then the SYN again after 2 ms (Linux TCP_TIMEOUT_MIN), then 1 s later', () => {
    const t = synSent();
    t.at(50 * MS);
    // The peer still holds an old incarnation of this tuple and answers our SYN with its ACK.
    expect(t.in('. 300:300(0) ack 4000 win 65535')).toEqual(['R 4000:4000(0)']);
    expect(t.c.deadline).toBe(52 * MS);
    expect(t.runTimers(1051 * MS)).toEqual(['52 S 0:0(0)']);
    expect(t.runTimers(2052 * MS)).toEqual(['1052 S 0:0(0)', '2052 S 0:0(0)']);
    // The second ACK no longer advances the timer: the SYN was already retransmitted.
    t.in('. 300:300(0) ack 4000 win 65535');
    expect(t.c.deadline).toBe(3052 * MS);
  });

  test('a RST with a bad ACK gets no answer but also brings the SYN forward', () => {
    const t = synSent();
    expect(t.in('R. 300:300(0) ack 4000 win 0')).toEqual([]);
    expect(t.c.deadline).toBe(2 * MS);
    expect(t.c.state).toBe(TcpState.SYN_SENT);
  });

  test('rfc9293 profile: the RST only, the SYN timer is left alone', () => {
    const t = synSent({ profile: 'rfc9293' });
    expect(t.in('. 300:300(0) ack 4000 win 65535')).toEqual(['R 4000:4000(0)']);
    expect(t.c.deadline).toBe(1 * SEC);
  });
});
