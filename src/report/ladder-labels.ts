/**
 * Where a ladder arrow's label goes. Arrows cross (the FINs of a simultaneous close), converge
 * at an endpoint (a request arriving as the reply leaves) or run parallel a row apart, so one fixed
 * spot always collides somewhere. Each label tries a few spots along its arrow, over or under it,
 * and takes the one that touches the fewest other arrows, time lines and labels already placed,
 * preferring the middle and the top side.
 */
import { textWidth } from './svg.ts';

export interface Seg {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A rotated label box: centre, reading direction u, and ranges along u and along the normal. */
export interface Box {
  cx: number;
  cy: number;
  ux: number;
  uy: number;
  a0: number;
  a1: number;
  p0: number;
  p1: number;
}

export interface Placement {
  /** Fraction of the way from the sender. */
  f: number;
  below: boolean;
  box: Box;
}

/** Baseline offsets from the line, along the "up" normal: over the line, or under it. */
export const ABOVE_BASELINE = 5;
export const BELOW_BASELINE = -15;

const FRACTIONS = [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.26, 0.74, 0.22, 0.78] as const;

function distToSeg(px: number, py: number, s: Seg): number {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  const l2 = dx * dx + dy * dy;
  let t = l2 > 0 ? ((px - s.x1) * dx + (py - s.y1) * dy) / l2 : 0;
  t = Math.max(0, Math.min(1, t));
  const ex = s.x1 + t * dx - px;
  const ey = s.y1 + t * dy - py;
  return Math.sqrt(ex * ex + ey * ey);
}

function inside(px: number, py: number, b: Box): boolean {
  const rx = px - b.cx;
  const ry = py - b.cy;
  const a = rx * b.ux + ry * b.uy;
  // The normal n = (uy, -ux) points "up" on screen for a left-to-right reading direction.
  const p = rx * b.uy - ry * b.ux;
  return a >= b.a0 && a <= b.a1 && p >= b.p0 && p <= b.p1;
}

/** The box of a label centred at fraction f of `line`, over or under it. */
export function labelBox(line: Seg, f: number, below: boolean, width: number): Box {
  const cx = line.x1 + f * (line.x2 - line.x1);
  const cy = line.y1 + f * (line.y2 - line.y1);
  // Reading direction: left to right whatever the arrow's direction.
  let ux = line.x2 - line.x1;
  let uy = line.y2 - line.y1;
  if (ux < 0) {
    ux = -ux;
    uy = -uy;
  }
  const len = Math.hypot(ux, uy) || 1;
  const base = below ? BELOW_BASELINE : ABOVE_BASELINE;
  return { cx, cy, ux: ux / len, uy: uy / len, a0: -width / 2 - 2, a1: width / 2 + 2, p0: base - 3, p1: base + 10 };
}

/** Scores a box: arrows and time lines it touches, labels it overlaps. */
function score(box: Box, obstacles: readonly Seg[], boxes: readonly Box[]): number {
  let hits = 0;
  const nx = box.uy;
  const ny = -box.ux;
  for (let a = box.a0; a <= box.a1; a += 3) {
    for (const p of [box.p0 + 1, (box.p0 + box.p1) / 2, box.p1 - 1]) {
      const px = box.cx + a * box.ux + p * nx;
      const py = box.cy + a * box.uy + p * ny;
      for (const s of obstacles) if (distToSeg(px, py, s) < 2) hits += 1;
      for (const b of boxes) if (inside(px, py, b)) hits += 2;
    }
  }
  return hits;
}

/** Picks the best spot for a label of `text` on `line`. */
export function placeLabel(line: Seg, text: string, fontSize: number, obstacles: readonly Seg[], boxes: readonly Box[]): Placement {
  const width = textWidth(text, fontSize);
  let best: Placement | null = null;
  let bestScore = Infinity;
  for (const below of [false, true]) {
    for (const f of FRACTIONS) {
      const box = labelBox(line, f, below, width);
      // Small penalties keep labels in the middle and over their arrow when spots tie.
      const s = score(box, obstacles, boxes) + Math.abs(f - 0.5) * 4 + (below ? 1.5 : 0);
      if (s < bestScore) {
        bestScore = s;
        best = { f, below, box };
      }
    }
  }
  return best!;
}
