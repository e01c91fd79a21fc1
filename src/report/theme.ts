/**
 * Colours, type sizes and marker shapes shared by every figure. Colours are the Okabe–Ito palette
 * (Okabe & Ito 2008, "Color Universal Design"), distinguishable under the common colour-vision
 * deficiencies; series also differ by dash and marker so figures survive black-and-white printing.
 */
import type { TcpStateName } from '../schema/trace.ts';
import { num } from './svg.ts';

/** Okabe–Ito, ordered so that neighbouring series contrast most; yellow last (weak on white). */
export const SERIES_COLORS = [
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#009E73', // bluish green
  '#E69F00', // orange
  '#CC79A7', // reddish purple
  '#56B4E9', // sky blue
  '#000000', // black
  '#F0E442', // yellow
] as const;

export const DASHES = ['', '6 3', '2 3', '8 3 2 3', '4 4', '1 2', '10 4', ''] as const;

export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!;
}

export function seriesDash(i: number): string {
  // The second lap through the palette switches dash pattern, so every series stays unique.
  return DASHES[(i + Math.floor(i / SERIES_COLORS.length)) % DASHES.length]!;
}

/** Font sizes in px for a 640 px wide figure (≥ 11 px, readable at print size). */
export const FONT = {
  title: 16,
  subtitle: 12,
  label: 13,
  tick: 12,
  legend: 12,
  note: 11,
} as const;

export const INK = {
  text: '#1a1a1a',
  muted: '#555555',
  axis: '#333333',
  grid: '#e3e3e3',
} as const;

export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'down' | 'cross';
const SHAPES: readonly MarkerShape[] = ['circle', 'square', 'triangle', 'diamond', 'down', 'cross'];

export function seriesMarker(i: number): MarkerShape {
  return SHAPES[i % SHAPES.length]!;
}

/** A marker of about `size` px centred on (x, y), as a path `d`. */
export function markerPath(shape: MarkerShape, x: number, y: number, size = 7): string {
  const r = size / 2;
  const p = (px: number, py: number): string => `${num(px)},${num(py)}`;
  switch (shape) {
    case 'circle':
      return `M${p(x - r, y)}A${num(r)},${num(r)} 0 1,0 ${p(x + r, y)}A${num(r)},${num(r)} 0 1,0 ${p(x - r, y)}Z`;
    case 'square':
      return `M${p(x - r * 0.9, y - r * 0.9)}H${num(x + r * 0.9)}V${num(y + r * 0.9)}H${num(x - r * 0.9)}Z`;
    case 'triangle':
      return `M${p(x, y - r * 1.15)}L${p(x + r * 1.1, y + r * 0.8)}L${p(x - r * 1.1, y + r * 0.8)}Z`;
    case 'down':
      return `M${p(x, y + r * 1.15)}L${p(x + r * 1.1, y - r * 0.8)}L${p(x - r * 1.1, y - r * 0.8)}Z`;
    case 'diamond':
      return `M${p(x, y - r * 1.25)}L${p(x + r, y)}L${p(x, y + r * 1.25)}L${p(x - r, y)}Z`;
    case 'cross':
      return `M${p(x - r, y - r)}L${p(x + r, y + r)}M${p(x - r, y + r)}L${p(x + r, y - r)}`;
  }
}

/** Fill colours for TCP states (state timeline bars and ladder lifelines). */
const STATE_COLORS: Record<string, string> = {
  LISTEN: '#c8c8c8',
  SYN_SENT: '#E69F00',
  SYN_RCVD: '#F0E442',
  ESTABLISHED: '#009E73',
  FIN_WAIT_1: '#56B4E9',
  FIN_WAIT_2: '#0072B2',
  CLOSE_WAIT: '#CC79A7',
  LAST_ACK: '#8c4f78',
  CLOSING: '#7a7a7a',
  TIME_WAIT: '#D55E00',
  CLOSED: '#ffffff',
} satisfies Record<TcpStateName, string>;

/** Canonical spelling of a state name: "SYN-RECEIVED", "syn_recv" and "SYN_RCVD" are one state. */
export function canonicalState(name: string): string {
  const s = name.toUpperCase().replace(/[-\s]/g, '_');
  if (s === 'SYN_RECV' || s === 'SYN_RECEIVED') return 'SYN_RCVD';
  if (s === 'FIN_WAIT1') return 'FIN_WAIT_1';
  if (s === 'FIN_WAIT2') return 'FIN_WAIT_2';
  return s;
}

export function stateColor(name: string): string {
  return STATE_COLORS[canonicalState(name)] ?? '#a0a0a0';
}

/** Dark text on light fills, white on dark ones. */
export function stateTextColor(name: string): string {
  const dark: readonly string[] = [
    'FIN_WAIT_2',
    'LAST_ACK',
    'CLOSING',
    'TIME_WAIT',
    'ESTABLISHED',
  ] satisfies TcpStateName[];
  return dark.includes(canonicalState(name)) ? '#ffffff' : '#1a1a1a';
}

/** Textbook order of states, for legends. */
export const STATE_ORDER = [
  'LISTEN',
  'SYN_SENT',
  'SYN_RCVD',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
  'CLOSED',
] as const satisfies readonly TcpStateName[];
