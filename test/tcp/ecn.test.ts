/**
 * Classic ECN (RFC 3168) on an active open, as Linux with net.ipv4.tcp_ecn = 1: the negotiation,
 * ECT(0) on new data only, the CE echo and the sender's once-per-window reduction with CWR.
 */
import { describe, expect, test } from 'vitest';
import { ECN_CE, ECN_ECT0, ECN_NOT_ECT } from '../../src/tcp/ecn.ts';
import { MS } from '../../src/sim/time.ts';
import { brief } from './harness.ts';
import { activeEstablished, synSent } from './harness.ts';

describe('ECN negotiation', () => {
  test('tcp_ecn=1: the SYN carries ECE and CWR; a retransmitted SYN does not', () => {
    const t = synSent({ params: { ecn: 1 } });
    // synSent took the first SYN off the record: look at the retransmission and rebuild the first.
    expect(t.runTimers(1500 * MS)).toEqual(['1000 S 0:0(0)']);
    const u = synSent({ params: { ecn: 1 } });
    expect(u.c.ecnOk).toBe(true);
    const v = synSent({ params: { ecn: 2 } });
    expect(v.c.ecnOk).toBe(false);
  });

  test('a SYN-ACK with ECE (no CWR) agrees: new data goes ECT(0), pure ACKs and retransmissions Not-ECT', () => {
    const t = synSent({ params: { ecn: 1 } });
    t.at(100 * MS);
    t.c.onSegment(t.peer('SE. 0:0(0) ack 1 win 65535 <mss 1000>'), t.now);
    const ack = t.rec.take();
    expect(ack.map((s) => [brief(s.seg), s.ecn])).toEqual([['. 1:1(0) ack 1', ECN_NOT_ECT]]);
    expect(t.c.ecnOk).toBe(true);
    t.c.send(1000, t.now);
    expect(t.rec.take().map((s) => [brief(s.seg), s.ecn])).toEqual([['P. 1:1001(1000) ack 1', ECN_ECT0]]);
    t.at(t.now + 2000 * MS);
    t.c.onTimer(t.now);
    const resent = t.rec.take();
    expect(resent.every((s) => s.ecn === ECN_NOT_ECT)).toBe(true);
  });

  test('a SYN-ACK without ECE, or with ECE and CWR, leaves ECN off', () => {
    const a = synSent({ params: { ecn: 1 } });
    a.at(100 * MS).in('S. 0:0(0) ack 1 win 65535 <mss 1000>');
    expect(a.c.ecnOk).toBe(false);
    const b = synSent({ params: { ecn: 1 } });
    b.at(100 * MS).in('SEW. 0:0(0) ack 1 win 65535 <mss 1000>');
    expect(b.c.ecnOk).toBe(false);
  });
});

describe('ECN signals', () => {
  test('CE on arriving data: every ACK carries ECE until data with CWR arrives', () => {
    const t = activeEstablished({ params: { ecn: 1 }, peerOptions: 'mss 1000' });
    t.c.ecnOk = true; // negotiated (see above); activeEstablished's SYN-ACK has no ECE
    t.at(t.now + 10 * MS);
    t.c.onSegment(t.peer('P. 1:1001(1000) ack 1 win 65535'), t.now, ECN_CE);
    expect(t.rec.take().map((s) => brief(s.seg))).toEqual(['E. 1:1(0) ack 1001']);
    t.c.onSegment(t.peer('P. 1001:2001(1000) ack 1 win 65535'), t.now, ECN_ECT0);
    t.c.onSegment(t.peer('P. 2001:3001(1000) ack 1 win 65535'), t.now, ECN_ECT0);
    expect(
      t.rec
        .take()
        .map((s) => brief(s.seg))
        .every((l) => l.startsWith('E.')),
    ).toBe(true);
    t.c.onSegment(t.peer('WP. 3001:4001(1000) ack 1 win 65535'), t.now, ECN_ECT0);
    t.runTimers(t.now + 500 * MS);
    t.c.onSegment(t.peer('P. 4001:5001(1000) ack 1 win 65535'), t.now, ECN_ECT0);
    t.runTimers(t.now + 500 * MS);
    expect(t.c.ecnDemandCwr).toBe(false);
  });

  test('ECE on an ACK halves cwnd once per window; the next new segment carries CWR', () => {
    const t = activeEstablished({ params: { ecn: 1 } });
    t.c.ecnOk = true;
    t.c.send(20000, t.now);
    t.rec.take();
    expect(t.c.cc.cwnd).toBe(10);
    t.at(t.now + 100 * MS);
    t.c.onSegment(t.peer('E. 1:1(0) ack 1001 win 65535'), t.now);
    expect(t.c.cc.cwnd).toBe(5);
    expect(t.c.cc.ssthresh).toBe(5);
    const out = t.rec.take();
    // Nothing fits the halved window yet (9 in flight), so CWR waits for the next new segment.
    expect(out).toEqual([]);
    t.c.onSegment(t.peer('E. 1:1(0) ack 6001 win 65535'), t.now);
    expect(t.c.cc.cwnd).toBeGreaterThanOrEqual(5); // a second ECE in the same window is ignored
    const sent = t.rec.take();
    const flags = (l: string): string => l.split(' ')[0]!;
    expect(flags(brief(sent[0]!.seg))).toContain('W');
    expect(sent.slice(1).every((s) => !flags(brief(s.seg)).includes('W'))).toBe(true);
  });
});
