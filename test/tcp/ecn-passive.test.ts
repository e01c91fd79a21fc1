/**
 * Passive ECN (RFC 3168 6.1.1) as Linux with net.ipv4.tcp_ecn = 1 or 2 (2 is its default): a
 * listener agrees to an ECN-setup SYN (ECE and CWR, arriving not-ECT) with ECE on its SYN-ACK
 * (tcp_ecn_create_request, tcp_ecn_make_synack), through SYN cookies too (the ECN bit in the
 * cookie's TSval, cookie_ecn_ok), and the child runs with ECN (tcp_ecn_openreq_child).
 */
import { describe, expect, it } from 'vitest';
import { ACK, CWR, ECE, SYN } from '../../src/wire/segment.ts';
import { Connection } from '../../src/tcp/connection.ts';
import { ECN_CE, ECN_ECT0, ECN_NOT_ECT } from '../../src/tcp/ecn.ts';
import { SEC } from '../../src/sim/time.ts';
import { CLIENT, ISS, SERVER, SYN_OPTS, finalAck, line, makeListener, runTimers, seg } from './listener-harness.ts';
import { Recorder, brief } from './harness.ts';

const ecnSyn = (flags = SYN | ECE | CWR) => seg(flags, 0, 0, SYN_OPTS);

describe('passive ECN at the listener', () => {
  it('tcp_ecn=2: an ECN-setup SYN gets SE. (ECE without CWR), also when retransmitted, and the handshake carries ecnOk', () => {
    const { out, host, listener } = makeListener({ ecn: 2 });
    listener.onSegment(ecnSyn(), CLIENT, SERVER, 0);
    const first = out.take();
    expect(first.map(line)).toEqual([`SE. ${ISS}:${ISS}(0) ack 1`]);
    runTimers(listener, out, 1 * SEC);
    expect(out.take().map(line)).toEqual([`SE. ${ISS}:${ISS}(0) ack 1`]);
    listener.onSegment(finalAck(first[0]!.seg), CLIENT, SERVER, 1 * SEC);
    expect(host.children[0]!.h.ecnOk).toBe(true);
  });

  it('no ECE when the SYN is not an ECN-setup SYN, arrived ECT, or tcp_ecn=0', () => {
    const a = makeListener({ ecn: 2 });
    a.listener.onSegment(ecnSyn(SYN | ECE), CLIENT, SERVER, 0);
    expect(a.out.take().map(line)).toEqual([`S. ${ISS}:${ISS}(0) ack 1`]);
    const b = makeListener({ ecn: 2 });
    b.listener.onSegment(ecnSyn(), CLIENT, SERVER, 0, -1, ECN_ECT0);
    expect(b.out.take().map(line)).toEqual([`S. ${ISS}:${ISS}(0) ack 1`]);
    const c = makeListener({ ecn: 0 });
    c.listener.onSegment(ecnSyn(), CLIENT, SERVER, 0);
    const sa = c.out.take();
    expect(sa.map(line)).toEqual([`S. ${ISS}:${ISS}(0) ack 1`]);
    c.listener.onSegment(finalAck(sa[0]!.seg), CLIENT, SERVER, 1);
    expect(c.host.children[0]!.h.ecnOk).toBe(false);
  });

  it('a SYN cookie keeps ECN in its TSval: the SYN-ACK says SE., the cookie ACK makes an ECN child', () => {
    const { out, host, listener } = makeListener({ ecn: 2, synCookies: 'always' });
    listener.onSegment(ecnSyn(), CLIENT, SERVER, 0);
    const sa = out.take()[0]!.seg;
    expect(sa.flags).toBe(SYN | ACK | ECE);
    const ts = sa.options!.timestamp!;
    listener.onSegment(finalAck(sa, { timestamp: { val: 101, ecr: ts.val } }), CLIENT, SERVER, 1);
    expect(host.children[0]!.h.ecnOk).toBe(true);
  });
});

describe('the passive child runs with ECN (tcp_ecn_openreq_child)', () => {
  it('its data goes ECT(0); CE on arriving data makes its ACK carry ECE', () => {
    const { out, host, listener, params } = makeListener({ ecn: 2 });
    listener.onSegment(ecnSyn(), CLIENT, SERVER, 0);
    listener.onSegment(finalAck(out.take()[0]!.seg), CLIENT, SERVER, 1);
    const h = host.children[0]!.h;
    const rec = new Recorder();
    const c = Connection.fromHandshake(h, params, 1, rec);
    expect(c.ecnOk).toBe(true);
    c.send(100, 2);
    expect(rec.take().map((s) => [brief(s.seg, ISS, 0), s.ecn])).toEqual([['P. 1:101(100) ack 1', ECN_ECT0]]);
    c.onSegment({ ...seg(ACK, 1, ISS + 101), len: 100 }, 3, ECN_CE);
    expect(rec.take().map((s) => [brief(s.seg, ISS, 0), s.ecn])).toEqual([['E. 101:101(0) ack 101', ECN_NOT_ECT]]);
  });
});
