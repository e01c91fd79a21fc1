/**
 * A host whose own queue refuses every packet (EngineOutput.localDrop; packetdrill's `tc qdisc
 * add dev tun0 root pfifo limit 0`), as Linux's user_timeout/user-timeout-probe.pkt: nothing
 * counts as sent, the probe timer retries every 500 ms without backing off
 * (TCP_RESOURCE_PROBE_INTERVAL, tcp_send_probe0), and TCP_USER_TIMEOUT ends the connection 3 s
 * after the first probe. Passive open, handshake RTT 100 ms.
 */
import { describe, expect, test } from 'vitest';
import { MS, SEC } from '../../src/sim/time.ts';
import { passiveEstablished } from './harness.ts';

describe('local drops (qdisc with no room)', () => {
  test('probes every 500 ms, no backoff, ETIMEDOUT at the user timeout', () => {
    const t = passiveEstablished({ peerWscale: -1, peerWindow: 65530, params: { userTimeout: 3 * SEC } });
    expect(t.c.send(24, t.now)).toBe(24);
    expect(t.sent()).toEqual(['P. 1:25(24) ack 1']);
    t.at(t.now + 100 * MS);
    t.in('. 1:1(0) ack 25 win 65530');
    const start = t.now; // 200 ms
    (t.rec as { localDrop?: boolean }).localDrop = true;
    expect(t.c.send(24, t.now)).toBe(24);
    expect(t.sent()).toEqual([]);
    expect(t.c.unsentBytes).toBe(24);
    // The first probe timeout is the RTO (srtt 100 ms + 200 ms minimum variance: 300 ms).
    expect(t.c.deadline - start).toBe(300 * MS);
    const probes: number[] = [];
    for (let i = 0; i < 6; i++) {
      t.runTimers(t.c.deadline);
      probes.push((t.now - start) / MS);
      expect(t.c.tcpInfo(t.now).backoff).toBe(0);
    }
    expect(probes).toEqual([300, 800, 1300, 1800, 2300, 2800]);
    expect(t.c.tcpInfo(t.now).probes).toBe(6);
    expect(t.rec.takeEvents()).toEqual([]);
    // 3 s after the first probe (at 3.3 s) the connection gives up, having sent nothing.
    expect(t.runTimers(start + 3299 * MS)).toEqual([]);
    expect(t.rec.takeEvents()).toEqual([]);
    expect(t.runTimers(start + 3300 * MS)).toEqual([]);
    expect(t.rec.takeEvents()).toContain('ERROR:ETIMEDOUT');
  });

  test('once the queue takes packets again, the next probe sends the data and the timer stops', () => {
    const t = passiveEstablished({ peerWscale: -1, peerWindow: 65530 });
    const rec = t.rec as { localDrop?: boolean };
    rec.localDrop = true;
    t.c.send(24, t.now);
    t.runTimers(t.c.deadline);
    expect(t.c.tcpInfo(t.now).probes).toBe(1);
    rec.localDrop = false;
    expect(t.runTimers(t.c.deadline).map((l) => l.replace(/^\S+ /, ''))).toEqual(['P. 1:25(24) ack 1']);
    expect(t.c.tcpInfo(t.now).probes).toBe(0);
  });
});
