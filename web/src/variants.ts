/**
 * The playground's browser-sized variants of flagship experiments (presets.ts makes their editor
 * text): kept apart from the bundled spec files so that tests can name them and the command.
 */
export interface Variant {
  name: string;
  from: string;
  /** What the preset list says after the flagship's name. */
  what: string;
  seeds: number;
  /** Field path → value, as `--set path=value` gives them. */
  set: Record<string, string>;
}

/** Browser-sized variants, listed before the flagships. */
export const VARIANTS: readonly Variant[] = [
  {
    name: 'handshake-quick',
    from: 'handshake',
    what: 'quick: 1 seed, half the request rate',
    seeds: 1,
    set: { 'apps.users.rate': '2/s' },
  },
];

export const DEFAULT_PRESET = 'handshake-quick';

/** The CLI command whose summary.json equals the variant's. */
export const variantCommand = (v: Variant): string =>
  `npx tcplab run experiments/${v.from}.yaml --seeds ${v.seeds}${Object.entries(v.set)
    .map(([p, x]) => ` --set ${p}=${x}`)
    .join('')}`;
