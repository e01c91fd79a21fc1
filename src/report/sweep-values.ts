/**
 * Sweep values on an axis. Values are written as in the experiment file: numbers, or numbers with
 * a unit ("1000/s", "20ms", "100Mbps", "64KB"), booleans or words. A numeric axis needs every
 * value numeric in one unit family; anything else is categorical, kept in the order written.
 */

export interface NumericAxisValues {
  kind: 'numeric';
  /** Same order as the input values. */
  values: number[];
  /** The common unit, e.g. "/s", "ms"; '' for plain numbers. */
  unit: string;
}

export interface CategoricalAxisValues {
  kind: 'categorical';
  labels: string[];
}

export type AxisValues = NumericAxisValues | CategoricalAxisValues;

/** Unit → (family, factor to the family's base unit). */
const UNITS: Record<string, [string, number]> = {
  ns: ['time', 1e-9],
  us: ['time', 1e-6],
  µs: ['time', 1e-6],
  ms: ['time', 1e-3],
  s: ['time', 1],
  bps: ['bitrate', 1],
  Kbps: ['bitrate', 1e3],
  Mbps: ['bitrate', 1e6],
  Gbps: ['bitrate', 1e9],
  B: ['size', 1],
  KB: ['size', 1024],
  MB: ['size', 1024 * 1024],
  '/s': ['rate', 1],
  '%': ['percent', 1],
};

const QUANTITY = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµ/%]*)\s*$/;

/** A value as (number, unit), or null when it is not a quantity. */
export function parseQuantity(v: unknown): { value: number; unit: string } | null {
  if (typeof v === 'number') return Number.isFinite(v) ? { value: v, unit: '' } : null;
  if (typeof v !== 'string') return null;
  const m = QUANTITY.exec(v);
  if (!m) return null;
  const unit = m[2] ?? '';
  if (unit !== '' && !(unit in UNITS)) return null;
  return { value: Number(m[1]), unit };
}

/** A quantity in its family's base unit (seconds for time), or null when it is of another family. */
export function quantityIn(q: { value: number; unit: string }, family: string): number | null {
  const u = UNITS[q.unit];
  return u !== undefined && u[0] === family ? q.value * u[1] : null;
}

/** A display label for one sweep value. */
export function valueLabel(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? String(v);
}

/** Decides whether values make a numeric axis, converting mixed units of one family. */
export function classifyAxis(values: readonly unknown[]): AxisValues {
  const q = values.map(parseQuantity);
  if (values.length === 0 || q.some((x) => x === null)) {
    return { kind: 'categorical', labels: values.map(valueLabel) };
  }
  const parsed = q as { value: number; unit: string }[];
  const units = [...new Set(parsed.map((p) => p.unit))];
  if (units.length === 1) return { kind: 'numeric', values: parsed.map((p) => p.value), unit: units[0]! };
  const families = new Set(units.map((u) => UNITS[u]?.[0] ?? `plain:${u}`));
  if (families.size !== 1 || units.includes('')) {
    return { kind: 'categorical', labels: values.map(valueLabel) };
  }
  // Mixed units of one family ("500us", "1ms", "20ms"): convert to the most used unit.
  const counts = new Map<string, number>();
  for (const p of parsed) counts.set(p.unit, (counts.get(p.unit) ?? 0) + 1);
  let target = parsed[0]!.unit;
  for (const u of units) if (counts.get(u)! > counts.get(target)!) target = u;
  const tf = UNITS[target]![1];
  return { kind: 'numeric', values: parsed.map((p) => (p.value * UNITS[p.unit]![1]) / tf), unit: target };
}

/** The label of a unit in an axis title: "/s" reads "per s". */
export function unitLabel(unit: string): string {
  if (unit === '/s') return 'per s';
  return unit;
}
