/**
 * tcplab's own packetdrill scripts (test/drill/scripts): behaviours the corpus does not cover,
 * written from Linux 6.x behaviour. Each one must pass against the engine.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScripts } from '../../src/drill/command.ts';
import { runScriptFile } from '../../src/drill/drill.ts';

const dir = path.resolve(import.meta.dirname, 'scripts');

describe('tcplab scripts', () => {
  const files = listScripts(dir);
  it('cover TCP_FASTOPEN_KEY, SYN cookies, keepalive, TIME-WAIT, SYN-ACK give-up, SYN_RECV rate limiting, RST to a closed port and ICMP errors', () => {
    expect(files.map((f) => path.basename(f))).toEqual([
      'fastopen-key.pkt',
      'icmp-unreachable.pkt',
      'keepalive.pkt',
      'rst-closed-port.pkt',
      'syn-cookies.pkt',
      'synack-give-up.pkt',
      'synrecv-ratelimit.pkt',
      'time-wait-duration.pkt',
      'time-wait-rst.pkt',
    ]);
  });
  for (const file of files) {
    it(`${path.basename(file)} passes`, () => {
      expect(runScriptFile(file)).toEqual({ verdict: 'PASS', reason: '' });
    });
  }
});
