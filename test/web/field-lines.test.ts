/** The playground marks a problem at its field's line: field paths as the loader writes them, found in the YAML text. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { loadExperimentText } from '../../src/experiment/load.ts';
import { fieldLine, parseFieldPath } from '../../web/src/field-lines.ts';

const TEXT = readFileSync(new URL('../../experiments/handshake.yaml', import.meta.url), 'utf8');
const lineOf = (needle: string): number => TEXT.split('\n').findIndex((l) => l.includes(needle)) + 1;

it('reads field paths as the loader formats them', () => {
  expect(parseFieldPath('apps.web.port')).toEqual(['apps', 'web', 'port']);
  expect(parseFieldPath('links[2].latency')).toEqual(['links', 2, 'latency']);
  expect(parseFieldPath('sweep["topology.latency"][1]')).toEqual(['sweep', 'topology.latency', 1]);
  expect(parseFieldPath('--set tcp.backlog=1')).toBeNull();
});

it('finds the line of a value, of a swept value, and of the map that lacks a key', () => {
  expect(fieldLine(TEXT, 'apps.web.port')).toBe(lineOf('web:   { kind: server'));
  expect(fieldLine(TEXT, 'duration')).toBe(lineOf('duration: 30s'));
  expect(fieldLine(TEXT, 'sweep["topology.loss"][2]')).toBe(lineOf('topology.loss: [0, 0.01'));
  expect(fieldLine(TEXT, 'apps.users.nosuchkey')).toBe(lineOf('users: { kind: client'));
});

it('places what the loader reports for a bad swept value', () => {
  const bad = TEXT.replace('topology.loss: [0, 0.01, 0.03, 0.1]', 'topology.loss: [0, 0.01, lots, 0.1]');
  const r = loadExperimentText(bad, 'experiments/handshake.yaml', {
    readFile: (f) => readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8'),
  });
  expect(r.ok).toBe(false);
  if (r.ok) return;
  const e = r.errors.find((x) => x.path.startsWith('sweep'))!;
  expect(e.path).toBe('sweep["topology.loss"][2]');
  expect(fieldLine(bad, e.path)).toBe(lineOf('topology.loss: [0, 0.01'));
});
