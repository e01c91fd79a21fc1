/**
 * Label boxes and where a ladder arrow's label goes. Arrows cross (the FINs of a simultaneous
 * close), converge at an endpoint (a request arriving as the reply leaves), run parallel a few px
 * apart or lie on top of each other (two SYN-ACKs sent at one instant), so one fixed spot always
 * collides somewhere. Each label tries spots along its arrow, over or under it and one or two
 * lines further out, and takes one whose box overlaps no box already placed (exact test, boxes are
 * rotated rectangles), touching the fewest arrows and time lines, preferring the middle, the top
 * side and the line nearest the arrow.
 */
import { textWidth } from './svg.ts';

export interface Seg {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * A rotated label box: centre, reading direction u, and ranges along u (a) and along the "up"
 * normal n = (uy, −ux) (p). An upright box has u = (1, 0) and p growing upwards.
 */
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
  /** Baseline offset from the line along the "up" normal (negative: under the line). */
  baseline: number;
  box: Box;
  /** True when no spot was free of other labels (the layout then tries a larger scale). */
  clash: boolean;
}

/** Baseline offsets from the line: over it, under it, then a line further out each way. */
const BASELINES = [5, -15, 19, -29, 33, -43] as const;
const FRACTIONS = [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.26, 0.74, 0.22, 0.78] as const;
/** Text extent around its baseline (px, for the 11–12 px fonts used): descent and ascent. */
const DESCENT = 3;
const ASCENT = 10;
/**
 * Margin of the bounding-box test in lineHits: a touch is a distance under 2 px, and the box's
 * sample points lie inside its corners; 1 px more absorbs rounding in the corners' arithmetic.
 */
const NEAR_PX = 3;

/** A box's corners into `out` as x, y pairs, in the order (a0, p0), (a1, p0), (a1, p1), (a0, p1). */
function cornersInto(b: Box, out: Float64Array): void {
  const nx = b.uy;
  const ny = -b.ux;
  out[0] = b.cx + b.a0 * b.ux + b.p0 * nx;
  out[1] = b.cy + b.a0 * b.uy + b.p0 * ny;
  out[2] = b.cx + b.a1 * b.ux + b.p0 * nx;
  out[3] = b.cy + b.a1 * b.uy + b.p0 * ny;
  out[4] = b.cx + b.a1 * b.ux + b.p1 * nx;
  out[5] = b.cy + b.a1 * b.uy + b.p1 * ny;
  out[6] = b.cx + b.a0 * b.ux + b.p1 * nx;
  out[7] = b.cy + b.a0 * b.uy + b.p1 * ny;
}

/** The four corners of a box, as points. */
export function boxCorners(b: Box): [number, number][] {
  const c = new Float64Array(8);
  cornersInto(b, c);
  return [
    [c[0]!, c[1]!],
    [c[2]!, c[3]!],
    [c[4]!, c[5]!],
    [c[6]!, c[7]!],
  ];
}

/** Corner coordinates of two boxes, reused by every overlap test and bounding box (nothing allocated per test). */
const CORNERS_A = new Float64Array(8);
const CORNERS_B = new Float64Array(8);

/** True when the projections of two corner sets on the axis (ax, ay) are apart (touching counts as apart). */
function apartOn(ca: Float64Array, cb: Float64Array, ax: number, ay: number): boolean {
  let aLo = Infinity;
  let aHi = -Infinity;
  let bLo = Infinity;
  let bHi = -Infinity;
  for (let i = 0; i < 8; i += 2) {
    const va = ca[i]! * ax + ca[i + 1]! * ay;
    aLo = Math.min(aLo, va);
    aHi = Math.max(aHi, va);
    const vb = cb[i]! * ax + cb[i + 1]! * ay;
    bLo = Math.min(bLo, vb);
    bHi = Math.max(bHi, vb);
  }
  return aHi <= bLo || bHi <= aLo;
}

/**
 * True when two boxes overlap (separating-axis test on both boxes' edges). Runs for every spot a
 * label tries against every label placed, so it allocates nothing.
 */
export function boxesOverlap(a: Box, b: Box): boolean {
  cornersInto(a, CORNERS_A);
  cornersInto(b, CORNERS_B);
  return !(
    apartOn(CORNERS_A, CORNERS_B, a.ux, a.uy) ||
    apartOn(CORNERS_A, CORNERS_B, a.uy, -a.ux) ||
    apartOn(CORNERS_A, CORNERS_B, b.ux, b.uy) ||
    apartOn(CORNERS_A, CORNERS_B, b.uy, -b.ux)
  );
}

/** The upright box of text at (x, baseline y) with the given anchor. */
export function textBox(
  x: number,
  y: number,
  content: string,
  fontSize: number,
  anchor: 'start' | 'middle' | 'end',
): Box {
  const w = textWidth(content, fontSize);
  const left = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
  return { cx: left + w / 2, cy: y, ux: 1, uy: 0, a0: -w / 2 - 1, a1: w / 2 + 1, p0: -DESCENT, p1: ASCENT };
}

/** The box of a label centred at fraction f of `line`, its baseline `baseline` px over the line. */
export function labelBox(line: Seg, f: number, baseline: number, width: number): Box {
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
  return {
    cx,
    cy,
    ux: ux / len,
    uy: uy / len,
    a0: -width / 2 - 2,
    a1: width / 2 + 2,
    p0: baseline - DESCENT,
    p1: baseline + ASCENT,
  };
}

/**
 * True when (px, py) lies under 2 px from the segment. The squared distance settles all but a sliver
 * around 2 px; only there is Math.hypot (slower, and what decided every case before) asked, so the
 * answer is Math.hypot's everywhere.
 */
function touches(px: number, py: number, s: Seg): boolean {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  const l2 = dx * dx + dy * dy;
  let t = l2 > 0 ? ((px - s.x1) * dx + (py - s.y1) * dy) / l2 : 0;
  t = Math.max(0, Math.min(1, t));
  const ex = s.x1 + t * dx - px;
  const ey = s.y1 + t * dy - py;
  const d2 = ex * ex + ey * ey;
  if (d2 < 3.99) return true;
  if (d2 > 4.01) return false;
  return Math.hypot(ex, ey) < 2;
}

/**
 * How many sample points of the box touch an arrow or time line, counted until `score(hits)` reaches
 * `enough` (the caller then rejects the spot whatever the rest would add). A touch is a sample point
 * under 2 px from a line, and the points lie inside the box, so only lines whose bounding box comes
 * that close to the box's can be touched: the others are left out before sampling (NEAR_PX). The
 * count is the same, and a crowded ladder (a burst of 30 segments) costs a few lines per spot
 * instead of all of them.
 */
function lineHits(box: Box, obstacles: readonly Seg[], score: (hits: number) => number, enough: number): number {
  const nx = box.uy;
  const ny = -box.ux;
  const c = CORNERS_A;
  cornersInto(box, c);
  const minX = Math.min(c[0]!, c[2]!, c[4]!, c[6]!);
  const maxX = Math.max(c[0]!, c[2]!, c[4]!, c[6]!);
  const minY = Math.min(c[1]!, c[3]!, c[5]!, c[7]!);
  const maxY = Math.max(c[1]!, c[3]!, c[5]!, c[7]!);
  const near = obstacles.filter(
    (s) =>
      Math.max(s.x1, s.x2) > minX - NEAR_PX &&
      Math.min(s.x1, s.x2) < maxX + NEAR_PX &&
      Math.max(s.y1, s.y2) > minY - NEAR_PX &&
      Math.min(s.y1, s.y2) < maxY + NEAR_PX,
  );
  let hits = 0;
  if (near.length === 0) return hits;
  const sides = [box.p0 + 1, (box.p0 + box.p1) / 2, box.p1 - 1];
  for (let a = box.a0; a <= box.a1; a += 3) {
    for (const p of sides) {
      const px = box.cx + a * box.ux + p * nx;
      const py = box.cy + a * box.uy + p * ny;
      for (const s of near)
        if (touches(px, py, s)) {
          hits += 1;
          if (score(hits) >= enough) return hits;
        }
    }
  }
  return hits;
}

/** Picks the best spot for a label of `text` on `line`, clear of `boxes` whenever possible. */
export function placeLabel(
  line: Seg,
  text: string,
  fontSize: number,
  obstacles: readonly Seg[],
  boxes: readonly Box[],
): Placement {
  const width = textWidth(text, fontSize);
  let best: Placement | null = null;
  let bestScore = Infinity;
  BASELINES.forEach((baseline, level) => {
    for (const f of FRACTIONS) {
      const box = labelBox(line, f, baseline, width);
      const clash = boxes.some((b) => boxesOverlap(box, b));
      // Small penalties keep labels in the middle, over their arrow and close to it when spots tie.
      const score = (hits: number): number => (clash ? 1e6 : 0) + hits + Math.abs(f - 0.5) * 4 + level * 1.5;
      // A score only grows with hits: a spot that cannot beat the best even untouched is not sampled,
      // and sampling stops once it cannot win (the same spot wins as when every hit is counted).
      if (score(0) >= bestScore) continue;
      const s = score(lineHits(box, obstacles, score, bestScore));
      if (s < bestScore) {
        bestScore = s;
        best = { f, baseline, box, clash };
      }
    }
  });
  return best!;
}
