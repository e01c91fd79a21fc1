/** TCP flags written as packetdrill and tcpdump do: "S", "S.", ".", "P.", "F.", "R", "R.", "FP.". */
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from './segment.ts';

const CACHE: string[] = [];
for (let f = 0; f < 256; f++) {
  let s = '';
  if (f & FIN) s += 'F';
  if (f & SYN) s += 'S';
  if (f & RST) s += 'R';
  if (f & PSH) s += 'P';
  if (f & URG) s += 'U';
  if (f & ECE) s += 'E';
  if (f & CWR) s += 'W';
  if (f & ACK) s += '.';
  CACHE.push(s);
}

/** Flag bits to their packetdrill letters (precomputed: no string is built per packet). */
export function formatFlags(flags: number): string {
  return CACHE[flags & 255]!;
}

/** Parses packetdrill flag letters back into bits; null on an unknown letter. */
export function parseFlags(text: string): number | null {
  let f = 0;
  for (const c of text) {
    switch (c) {
      case 'F':
        f |= FIN;
        break;
      case 'S':
        f |= SYN;
        break;
      case 'R':
        f |= RST;
        break;
      case 'P':
        f |= PSH;
        break;
      case 'U':
        f |= URG;
        break;
      case 'E':
        f |= ECE;
        break;
      case 'W':
        f |= CWR;
        break;
      case '.':
        f |= ACK;
        break;
      default:
        return null;
    }
  }
  return f;
}
