/**
 * Every flagship experiment, shrunk (one seed, fewer sweep values, a shorter window), run and
 * reported: no legend entry or axis title of any of its figures shows a YAML key — a sweep path
 * ("apps.flood.rate"), a named variant as written ("http1-0", "short-timer"), "key=value", a
 * camelCase or snake_case name. TCP state names (TIME_WAIT) are the one upper-case exception.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBatch } from '../../src/experiment/batch.ts';
import { formatSpecError } from '../../src/experiment/errors.ts';
import { loadExperiment } from '../../src/experiment/load.ts';
import { reportFolder } from '../../src/report/report-folder.ts';
import { byClass, findAll, parseXml } from './xml.ts';
import type { XmlElement } from './xml.ts';

const SHRINK: Record<string, string[]> = {
  handshake: ['duration=8s', 'sweep.topology.loss=[0,0.1]'],
  // kernel-retries sets its own duration (a swept path): keep it, setting the axis explicitly
  'syn-flood': ['duration=14s', 'sweep.apps.flood.rate=[0/s,1000/s]', 'sweep.defence.kernel-retries.duration=45s'],
  'time-wait': ['duration=4s', 'sweep.apps.users.rate=[100/s,300/s]'],
  'http-versions': ['sweep.topology.latency=[5ms,25ms]', 'sweep.topology.loss=[0,0.02]', 'seeds=2'],
  lifecycle: ['duration=5s'],
  'http2-stall': [],
  'http2-loss': ['sweep.topology.loss=[0,0.02]', 'seeds=2'],
  bulk: ['sweep.topology.loss=[0,0.01]', 'seeds=2'],
};

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Legend entries and axis titles of one figure. */
function labelsOf(svg: XmlElement): string[] {
  const textOf = (e: XmlElement): string =>
    findAll(e, (x) => x.name === 'text')
      .map((t) => t.children.join(''))
      .join('') || e.children.join('');
  const legend = byClass(svg, 'legend').flatMap((g) => findAll(g, (x) => x.name === 'text').map(textOf));
  return [...legend, ...byClass(svg, 'axis-label').map(textOf)];
}

/**
 * The names the experiment file uses that no sentence would (sweep paths, axis and variant names
 * with a hyphen, dot, underscore, digit or inner capital); plain words like "defence" or "none"
 * can be both a key and a word, so they are not held against a label.
 */
function yamlNames(sweep: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const [axis, values] of Object.entries(sweep)) {
    names.push(axis);
    if (values && typeof values === 'object' && !Array.isArray(values)) names.push(...Object.keys(values));
  }
  return names.filter((k) => /[-_.0-9]|[a-z][A-Z]/.test(k));
}

/** Why a label reads as a YAML key, or null. */
export function rawKeyIn(label: string, names: readonly string[]): string | null {
  const words = label
    .replace(/\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\b/g, '')
    .replace(/SYN-RECEIVED|TIME-WAIT|keep-alive|HTTP\/1\.\d/g, '');
  if (/\w=\w/.test(words)) return 'key=value';
  if (/\b[a-z]+\.[a-z]\w*/i.test(words)) return 'dotted path';
  if (/\b[a-z]+[A-Z]\w*/.test(words)) return 'camelCase';
  if (/\b\w+_\w+\b/.test(words)) return 'snake_case';
  const hit = names.find((n) =>
    new RegExp(`(^|[\\s(:,])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[\\s),:])`).test(words),
  );
  return hit ? `"${hit}"` : null;
}

describe('raw-key detector', () => {
  it('catches the keys the issue found and passes words', () => {
    expect(rawKeyIn('Http', ['http'])).toBeNull(); // case differs: a word, though a poor one
    expect(rawKeyIn('http1-0', ['http1-0'])).toBe('"http1-0"');
    expect(rawKeyIn('defence=short-timer', [])).toBe('key=value');
    expect(rawKeyIn('apps.flood.rate', [])).toBe('dotted path');
    expect(rawKeyIn('synCookies', [])).toBe('camelCase');
    expect(rawKeyIn('syn_queue', [])).toBe('snake_case');
    expect(rawKeyIn('short SYN-RECEIVED timer', ['short-timer'])).toBeNull();
    expect(rawKeyIn('HTTP/1.0', ['http1-0'])).toBeNull();
    expect(rawKeyIn('TIME_WAIT', [])).toBeNull();
    expect(rawKeyIn('Handshake time, 99th percentile (ms)', [])).toBeNull();
    expect(rawKeyIn('Time (ms) from t = 0.000 s', [])).toBeNull();
  });
});

describe('flagship figures speak in words', () => {
  for (const [name, set] of Object.entries(SHRINK)) {
    it(`${name}: no YAML key in any legend or axis title`, async () => {
      const loaded = loadExperiment(`experiments/${name}.yaml`, { set: [...set, 'seeds=1'] });
      if (!loaded.ok) throw new Error(loaded.errors.map(formatSpecError).join('\n'));
      const dir = await mkdtemp(join(tmpdir(), `tcplab-labels-${name}-`));
      dirs.push(dir);
      await runBatch(loaded.value.runs, {
        outDir: dir,
        jobs: 1,
        trace: false,
        pcap: false,
        experiment: loaded.value.spec,
        rawSpec: loaded.value.raw,
        stderr: { write: () => true, isTTY: false } as never,
        exitOnSignal: false,
      });
      const { figures } = await reportFolder(dir);
      expect(figures).toHaveLength(loaded.value.spec.charts.length);
      const names = yamlNames(loaded.value.spec.sweep as Record<string, unknown>);
      const bad: string[] = [];
      for (const f of figures) {
        for (const label of labelsOf(parseXml(await readFile(f, 'utf8')))) {
          const why = rawKeyIn(label, names);
          if (why) bad.push(`${f.split('/').pop()}: "${label}" (${why})`);
        }
      }
      expect(bad).toEqual([]);
    }, 120_000);
  }
});
