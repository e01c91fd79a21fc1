/**
 * The Tcb's yes/no state packed into two words (src/tcp/tcb-flags.ts): every flag reads back what
 * was written without touching any other, and a connection keeps no boolean as a field of its own
 * (each would cost 8 bytes a connection again; issue 14's established endpoint is held under 2 KB).
 */
import { describe, expect, test } from 'vitest';
import { TcbFlags } from '../../src/tcp/tcb-flags.ts';
import { activeEstablished, passiveEstablished } from './harness.ts';

/** The flag accessors TcbFlags defines, in declaration order. */
const FLAGS = Object.entries(Object.getOwnPropertyDescriptors(TcbFlags.prototype))
  .filter(([, d]) => d.get !== undefined && d.set !== undefined)
  .map(([name]) => name);

type FlagBag = Record<string, boolean>;

describe('TcbFlags', () => {
  test('defines the flags that used to be fields (38)', () => {
    expect(FLAGS).toHaveLength(38);
    expect(FLAGS).toContain('tsOk');
    expect(FLAGS).toContain('ackPending');
    expect(FLAGS).toContain('paced');
  });

  test('each flag sets and clears alone, whatever the others hold', () => {
    for (const background of [false, true]) {
      const f = new TcbFlags() as unknown as FlagBag;
      for (const name of FLAGS) f[name] = background;
      for (const name of FLAGS) {
        f[name] = !background;
        const on = FLAGS.filter((n) => f[n] !== background);
        expect(on, `${name} flipped against a background of ${background}`).toEqual([name]);
        f[name] = background;
      }
      expect(FLAGS.filter((n) => f[n] !== background)).toEqual([]);
    }
  });

  test('a connection holds no boolean field of its own, on either side', () => {
    for (const c of [activeEstablished().c, passiveEstablished().c]) {
      const own = Object.entries(c).filter(([, v]) => typeof v === 'boolean');
      expect(own.map(([k]) => k)).toEqual([]);
    }
  });

  test('the flags a handshake negotiates read as the connection negotiated them', () => {
    const read = (o: Parameters<typeof activeEstablished>[0]) => {
      const { c } = activeEstablished(o);
      return { tsOk: c.tsOk, sackOk: c.sackOk, wscaleOk: c.wscaleOk, orphan: c.orphan, finQueued: c.finQueued };
    };
    expect(read({ peerOptions: 'mss 1000,sackOK,TS val 5 ecr 0,nop,wscale 3' })).toEqual({
      tsOk: true,
      sackOk: true,
      wscaleOk: true,
      orphan: false,
      finQueued: false,
    });
    expect(read({ peerOptions: 'mss 1000,TS val 5 ecr 0' })).toEqual({
      tsOk: true,
      sackOk: false,
      wscaleOk: false,
      orphan: false,
      finQueued: false,
    });
  });
});
