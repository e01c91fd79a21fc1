/**
 * The streaming capture writer: one node's packets go to a temporary pcap file in the run store
 * as the simulation sends them, in pieces of about a megabyte, instead of one buffer holding the
 * whole capture until the run ends (a long run with --pcap held every capture in memory, issue
 * 13). Writes are synchronous, as the trace's (trace-file.ts): the simulation waits for the disk,
 * which is the back-pressure, and the writer never holds more than one piece.
 *
 * Records are encoded by the wire layer's PcapWriter, drained piece by piece, so a streamed
 * capture is byte-identical to the one PcapWriter builds in memory. Each packet draws on the run's
 * output budget (output-budget.ts, `--trace-limit`, shared with the trace); the file header is
 * always written. Past the budget the capture simply ends: pcap has no record for a note, so the
 * trace's `trace-limit` record, the store's record and the batch's warning say where it stopped.
 *
 * A run may capture on thousands of hosts (star topologies), so a writer holds neither a file
 * descriptor nor a big buffer while idle: the file is opened for each piece it appends, and the
 * buffer starts small and grows only on a busy host (to about two pieces).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PacketTap } from '../net/host.ts';
import type { Nanos } from '../sim/time.ts';
import { PcapWriter } from '../wire/pcap.ts';
import type { Packet } from '../wire/segment.ts';
import { tempPathFor } from './atomic-write.ts';
import type { OutputBudget } from './output-budget.ts';

/** Pieces of about this many bytes are written at once. */
const PIECE = 1 << 20;
const GLOBAL_HEADER_BYTES = 24;

/** One node's capture as written to a temporary file (plain data: it goes back to the store). */
export interface StreamedCapture {
  node: string;
  /** The temporary file, renamed into the store when the run is saved. */
  tempPath: string;
  /** Bytes written, file header included. */
  bytes: number;
}

/** A packet tap on one host (the network calls it for every packet the host sends or receives). */
export class PcapFileWriter implements PacketTap {
  readonly tempPath: string;
  private readonly pcap = new PcapWriter({ initialBytes: 4096 });
  private bytes = GLOBAL_HEADER_BYTES;

  /**
   * @param node   the capturing node's name
   * @param target the stored capture's path (the temporary file sits beside it)
   * @param budget the run's output budget (shared with the trace and the other captures)
   */
  constructor(
    readonly node: string,
    target: string,
    private readonly budget: OutputBudget,
  ) {
    mkdirSync(dirname(target), { recursive: true });
    this.tempPath = tempPathFor(target);
    writeFileSync(this.tempPath, '');
    budget.charge(GLOBAL_HEADER_BYTES);
  }

  /** Records a packet seen at simulated time `t`, unless the budget has run out. */
  onPacket(t: Nanos, packet: Packet): void {
    const size = this.pcap.recordBytes(packet);
    if (!this.budget.take(size, t)) return;
    this.pcap.add(t, packet);
    this.bytes += size;
    if (this.pcap.byteLength >= PIECE) this.flush();
  }

  /** Flushes, syncs and closes the file; what the store needs to adopt it. */
  close(): StreamedCapture {
    this.flush(true);
    return { node: this.node, tempPath: this.tempPath, bytes: this.bytes };
  }

  /** Closes and removes the file (the run failed). */
  discard(): void {
    rmSync(this.tempPath, { force: true });
  }

  /** Appends what the buffer holds; the last flush also syncs the file to disk. */
  private flush(last = false): void {
    const buf = this.pcap.drain();
    if (buf.length === 0 && !last) return;
    const fd = openSync(this.tempPath, 'a');
    try {
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      if (last) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
