/**
 * `npm run fuzz -- --segments N --seed S`: the engine fuzz for long runs. Prints progress, then
 * the counts (cases, segments, crashes, broken invariants, slow cases) and the first failures;
 * exits 1 when anything broke. `npm run fuzz -- --decoder N --seed S` runs the wire-decoder fuzz
 * (decoder-fuzz.ts) on N byte strings instead.
 */
import { parseArgs } from 'node:util';
import { fuzzDecoder } from './decoder-fuzz.ts';
import { fuzzEngine } from './engine-fuzz.ts';

const { values } = parseArgs({
  options: {
    segments: { type: 'string', default: '1000000' },
    decoder: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
const segments = Number(values.segments);
const seed = Number(values.seed);
const decoderInputs = values.decoder === undefined ? undefined : Number(values.decoder);
if (
  !Number.isSafeInteger(segments) ||
  segments < 1 ||
  !Number.isSafeInteger(seed) ||
  (decoderInputs !== undefined && (!Number.isSafeInteger(decoderInputs) || decoderInputs < 1))
) {
  process.stderr.write('usage: npm run fuzz -- --segments N --seed S, or npm run fuzz -- --decoder N --seed S\n');
  process.exit(2);
}
if (decoderInputs !== undefined) {
  const started = performance.now();
  const d = fuzzDecoder({ inputs: decoderInputs, seed });
  const wall = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `decoder fuzz seed ${seed}: ${d.inputs} byte strings (${d.accepted} accepted, ${d.rejected} rejected) in ${wall} s\n`,
  );
  process.stdout.write(`crashes ${d.crashes.length}, inconsistent results ${d.violations.length}\n`);
  for (const f of [...d.crashes, ...d.violations].slice(0, 5)) process.stdout.write(`  ${f.message}: ${f.hex}\n`);
  process.exit(d.crashes.length + d.violations.length > 0 ? 1 : 0);
}
const started = performance.now();
let last = 0;
const r = fuzzEngine({
  segments,
  seed,
  onProgress: (p) => {
    if (performance.now() - last < 5000) return;
    last = performance.now();
    process.stderr.write(
      `  ${p.segments} segments, ${p.cases} cases, ${p.crashes.length} crashes, ${p.violations.length} broken invariants\n`,
    );
  },
});
const wall = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(
  `engine fuzz seed ${seed}: ${r.cases} cases (${r.tableCases} with table parameters), ${r.segments} segments, ${r.steps} steps in ${wall} s\n`,
);
process.stdout.write(
  `crashes ${r.crashes.length}, broken invariants ${r.violations.length}, cases over 1 s ${r.slow}\n`,
);
for (const f of [...r.crashes, ...r.violations].slice(0, 5))
  process.stdout.write(`  ${f.fixture} ${f.profile} ${JSON.stringify(f.params)}: ${f.message}\n`);
process.exitCode = r.crashes.length + r.violations.length > 0 ? 1 : 0;
