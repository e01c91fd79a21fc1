/**
 * The streaming capture writer (issue 13): what it streams to disk is byte for byte what the
 * in-memory PcapWriter builds, across several one-megabyte pieces; and the run's output budget,
 * shared with the trace, ends the capture at the first packet that would cross it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputBudget } from '../../src/experiment/output-budget.ts';
import { PcapFileWriter } from '../../src/experiment/pcap-file.ts';
import { PcapWriter } from '../../src/wire/pcap.ts';
import { ACK, PROTO_TCP, type Packet } from '../../src/wire/segment.ts';

const dir = mkdtempSync(join(tmpdir(), 'tcplab-pcap-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A data segment of `len` bytes (payload zeros, as the model sends). */
function data(i: number, len: number): Packet {
  return {
    src: 0x0a000002,
    dst: 0x0a000001,
    ttl: 64,
    id: i & 0xffff,
    protocol: PROTO_TCP,
    tcp: {
      srcPort: 40001,
      dstPort: 80,
      seq: (i * 1448) >>> 0,
      ack: 1,
      flags: ACK,
      window: 502,
      len,
      urgent: 0,
      payload: null,
      options: {},
    },
    dataBytes: len,
    annot: 0,
  };
}

/** 3 000 packets of 40 to 1 500 bytes: about 2.3 MB, so the file is written in three pieces. */
const PACKETS: Array<[number, Packet]> = Array.from({ length: 3000 }, (_, i) => [
  i * 1_000_003,
  data(i, (i * 7919) % 1461),
]);

function inMemory(packets: Array<[number, Packet]>): Buffer {
  const w = new PcapWriter();
  for (const [t, p] of packets) w.add(t, p);
  return w.toBuffer();
}

describe('PcapFileWriter', () => {
  it('streams the bytes PcapWriter builds in memory, over several pieces', () => {
    const target = join(dir, 'a', 'node.pcap');
    const budget = new OutputBudget(0);
    const w = new PcapFileWriter('node', target, budget);
    for (const [t, p] of PACKETS) w.onPacket(t, p);
    const out = w.close();
    const expected = inMemory(PACKETS);
    expect(expected.length).toBeGreaterThan(2 << 20);
    expect(out).toEqual({ node: 'node', tempPath: w.tempPath, bytes: expected.length });
    expect(readFileSync(out.tempPath).equals(expected)).toBe(true);
    expect(budget.limited).toBeUndefined();
  });

  it('stops at the first packet that would cross the budget; the rest of the run is not captured', () => {
    const limit = 100_000;
    const budget = new OutputBudget(limit);
    const w = new PcapFileWriter('node', join(dir, 'b', 'node.pcap'), budget);
    for (const [t, p] of PACKETS) w.onPacket(t, p);
    const out = w.close();
    const bytes = readFileSync(out.tempPath);
    // the longest prefix of whole records that fits
    let n = 0;
    while (inMemory(PACKETS.slice(0, n + 1)).length <= limit) n++;
    expect(bytes.equals(inMemory(PACKETS.slice(0, n)))).toBe(true);
    expect(out.bytes).toBe(bytes.length);
    expect(budget.limited).toEqual({ limit, t_s: PACKETS[n]![0] / 1e9 });
  });

  it('shares the budget: once one output stops, every capture stops at the same instant', () => {
    const budget = new OutputBudget(10_000);
    const stops: number[] = [];
    budget.whenStopped((t) => stops.push(t));
    const a = new PcapFileWriter('a', join(dir, 'c', 'a.pcap'), budget);
    const b = new PcapFileWriter('b', join(dir, 'c', 'b.pcap'), budget);
    for (const [t, p] of PACKETS) {
      a.onPacket(t, p);
      b.onPacket(t, p);
    }
    const [ra, rb] = [a.close(), b.close()];
    expect(stops).toHaveLength(1);
    expect(ra.bytes + rb.bytes).toBeLessThanOrEqual(10_000);
    // b lost the packet that crossed the budget: it holds one packet fewer than a, or as many
    const recs = (n: number) => inMemory(PACKETS.slice(0, n)).length;
    const na = [...Array(PACKETS.length).keys()].find((n) => recs(n) === ra.bytes);
    expect(na).toBeDefined();
    expect([recs(na!), recs(na! - 1)]).toContain(rb.bytes);
  });

  it('discard() removes its temporary file', () => {
    const w = new PcapFileWriter('node', join(dir, 'd', 'node.pcap'), new OutputBudget(0));
    w.onPacket(0, data(0, 10));
    w.discard();
    expect(readdirSync(join(dir, 'd'))).toEqual([]);
  });
});
