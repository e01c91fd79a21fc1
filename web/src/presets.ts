/**
 * The playground's presets: every flagship experiment as `tcplab run` has it, and browser-sized
 * variants of the ones too long for a first visit. A variant is the same experiment with fewer
 * seeds and less traffic, named so, its editor text opening with a comment that says what changed
 * and which CLI command gives the same summary.json byte for byte; its sweep, figures and every
 * other field are the flagship's. The page opens with `handshake-quick`: the full handshake preset
 * is 144 runs (4 latencies × 4 losses × 3 Fast Open variants × 3 seeds) of 20 clients at 4
 * requests/s each; the variant is its 48 runs of seed 1 at 2 requests/s (the handshake times do not
 * depend on the rate on these idle links: it only halves the samples).
 */
import { parseDocument } from 'yaml';
import { SPEC_FILES } from './spec-files.ts';
import { variantCommand, VARIANTS, type Variant } from './variants.ts';

export { DEFAULT_PRESET } from './variants.ts';

export interface Preset {
  name: string;
  /** What the preset list shows. */
  label: string;
  /** The path the editor's text is loaded as (relative topology paths resolve from it). */
  file: string;
  text: string;
}

/** The flagship's text with the variant's values set (the YAML's comments and layout kept) and a header saying so. */
function variantText(v: Variant, flagship: string): string {
  const doc = parseDocument(flagship);
  const changes = [`seeds ${String(doc.get('seeds') ?? 1)} → ${v.seeds}`];
  doc.set('seeds', v.seeds);
  for (const [path, value] of Object.entries(v.set)) {
    const keys = path.split('.');
    changes.push(`${path} ${String(doc.getIn(keys))} → ${value}`);
    doc.setIn(keys, value);
  }
  // Short lines: the editor is narrow; the command stays whole on one line, to copy.
  const header = [
    ` Playground variant of experiments/${v.from}.yaml, sized to run`,
    ` in a few seconds in this tab: ${changes.join(', ')};`,
    ` everything else is the flagship's. The same summary.json from the CLI:`,
    `   ${variantCommand(v)}`,
  ].join('\n');
  doc.commentBefore = doc.commentBefore ? `${header}\n\n${doc.commentBefore}` : header;
  return doc.toString({ lineWidth: 0 });
}

function flagships(): Preset[] {
  return Object.keys(SPEC_FILES)
    .filter((f) => /^experiments\/[^/]+\.yaml$/.test(f))
    .map((file) => {
      const name = file.slice('experiments/'.length, -'.yaml'.length);
      return { name, label: name, file, text: SPEC_FILES[file]! };
    });
}

function variants(): Preset[] {
  const out: Preset[] = [];
  for (const v of VARIANTS) {
    const file = `experiments/${v.from}.yaml`;
    const text = SPEC_FILES[file];
    if (text !== undefined)
      out.push({ name: v.name, label: `${v.from} (${v.what})`, file, text: variantText(v, text) });
  }
  return out;
}

export const PRESETS: readonly Preset[] = [...variants(), ...flagships()];

export const presetNamed = (name: string): Preset | undefined => PRESETS.find((p) => p.name === name);
