/**
 * The two profiles against docs/design.md part 3, and every value overridable: tcpParams applies any
 * override, and a connection shares the host's parameters until setOption copies them (a change never leaks into the host's).
 */
import { describe, expect, test } from 'vitest';
import { Connection } from '../../src/tcp/connection.ts';
import { PROFILES, tcpParams, type TcpParams } from '../../src/tcp/params.ts';
import { MS, SEC } from '../../src/sim/time.ts';
import { EP, Recorder } from './harness.ts';

describe('the profile table (docs/design.md part 3)', () => {
  test('linux', () => {
    expect(PROFILES.linux).toMatchObject({
      initialRto: 1 * SEC,
      minRto: 200 * MS,
      maxRto: 120 * SEC,
      synRetries: 6,
      synLinearTimeouts: 4,
      synAckRetries: 5,
      somaxconn: 4096,
      separateQueues: true,
      abortOnOverflow: false,
      synCookies: true,
      synQueuePruning: true,
      timeWait: 60 * SEC,
      rfc1337: false,
      finWait2Timeout: 60 * SEC,
      keepalive: false,
      keepaliveIdle: 7200 * SEC,
      keepaliveInterval: 75 * SEC,
      keepaliveProbes: 9,
      delayedAckMin: 40 * MS,
      delayedAckMax: 200 * MS,
      ephemeralLow: 32768,
      ephemeralHigh: 60999,
    });
  });

  test('rfc9293', () => {
    expect(PROFILES.rfc9293).toMatchObject({
      initialRto: 1 * SEC,
      minRto: 1 * SEC,
      synGiveUp: 180 * SEC,
      synAckGiveUp: 180 * SEC,
      separateQueues: false,
      synCookies: false,
      timeWait: 240 * SEC,
      rfc1337: true,
      finWait2Timeout: 0,
      keepalive: false,
      delayedAckMax: 500 * MS,
      ephemeralLow: 49152,
      ephemeralHigh: 65535,
    });
    expect(PROFILES.rfc9293.maxRto).toBeGreaterThanOrEqual(60 * SEC);
    expect(PROFILES.rfc9293.keepaliveIdle).toBeGreaterThanOrEqual(7200 * SEC);
  });
});

describe('every value is overridable', () => {
  test('tcpParams applies an override of each key, on both profiles, and keeps the profile name', () => {
    for (const profile of ['linux', 'rfc9293'] as const) {
      for (const key of Object.keys(PROFILES[profile]) as (keyof TcpParams)[]) {
        if (key === 'profile') continue;
        const base = PROFILES[profile][key];
        const other =
          typeof base === 'number' ? base + 1 : typeof base === 'boolean' ? !base : base === 'always' ? false : base;
        const p = tcpParams(profile, { [key]: other } as Partial<TcpParams>);
        expect(p[key], `${profile}.${key}`).toEqual(other);
        expect(p.profile).toBe(profile);
      }
    }
    expect(PROFILES.linux.minRto).toBe(200 * MS); // the table itself is untouched
  });

  test('a connection shares its parameters until setOption copies them: the change stays in that connection', () => {
    const host = tcpParams('linux');
    const c = Connection.connect(EP, host, 1, 0, new Recorder());
    const d = Connection.connect({ ...EP, localPort: EP.localPort + 1 }, host, 2, 0, new Recorder());
    expect(c.params).toBe(host); // shared while read-only (memory: one object per host, not per connection)
    c.setOption('keepaliveIdle', 10 * SEC, 0);
    c.setOption('sndBuf', 1000, 0);
    expect(c.params).not.toBe(host);
    expect(c.params.keepaliveIdle).toBe(10 * SEC);
    expect(c.params.sndBuf).toBe(1000);
    expect(host.keepaliveIdle).toBe(7200 * SEC);
    expect(host.sndBuf).toBe(PROFILES.linux.sndBuf);
    expect(d.params).toBe(host);
    expect(d.params.keepaliveIdle).toBe(7200 * SEC);
  });
});
