/**
 * The conformance scoreboard: runs the whole packetdrill corpus (../shared/conformance/packetdrill,
 * beside the repository) and tcplab's own scripts (test/drill/scripts), regenerates
 * docs/conformance.md, and fails when the committed file differs, so the scoreboard is always true.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { listScripts } from '../../src/drill/command.ts';
import { runScriptFile } from '../../src/drill/drill.ts';
import { renderScoreboard, type ScoreboardSection } from '../../src/drill/scoreboard.ts';
import { CONFORMANCE_NOTES } from './conformance-notes.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const corpus = path.resolve(repoRoot, '../shared/conformance/packetdrill');
const own = path.resolve(repoRoot, 'test/drill/scripts');
const scoreboard = path.join(repoRoot, 'docs/conformance.md');

function section(title: string, dir: string, root: string, intro: string, notes: Readonly<Record<string, string>>): ScoreboardSection {
  return {
    title, root, intro,
    results: listScripts(dir).map((f) => {
      const script = path.relative(dir, f).split(path.sep).join('/');
      return { script, result: runScriptFile(f), note: notes[script] };
    }),
  };
}

const sections = [
  section('Corpus', corpus, '../shared/conformance/packetdrill', 'Linux\'s own packetdrill tests (google/packetdrill gtests, kernel selftests) and tcplab\'s Linux-measured retry schedules; see that folder\'s README.', CONFORMANCE_NOTES),
  section('tcplab scripts', own, 'test/drill/scripts', 'Behaviours the corpus does not cover (SYN cookies, keepalive, TIME-WAIT, SYN-ACK give-up, SYN_RECV rate limiting and window, RST to a closed port), written from Linux 6.x behaviour.', {}),
];

it('explains every corpus FAIL, and only those that do not pass', () => {
  const corpusResults = sections[0]!.results;
  expect(corpusResults.filter((r) => r.result.verdict === 'FAIL' && r.note === undefined).map((r) => `${r.script}: ${r.result.reason}`), 'FAILs without a note in test/drill/conformance-notes.ts').toEqual([]);
  expect(corpusResults.filter((r) => r.result.verdict === 'PASS' && r.note !== undefined).map((r) => r.script), 'stale notes on passing scripts').toEqual([]);
  const known = new Set(corpusResults.map((r) => r.script));
  expect(Object.keys(CONFORMANCE_NOTES).filter((k) => !known.has(k)), 'notes for scripts not in the corpus').toEqual([]);
});

it('docs/conformance.md is the scoreboard of the current engine', () => {
  const text = renderScoreboard(sections);
  const committed = existsSync(scoreboard) ? readFileSync(scoreboard, 'utf8') : '';
  if (committed !== text) writeFileSync(scoreboard, text);
  expect(committed, 'docs/conformance.md was out of date: it has been regenerated, review and commit it').toBe(text);
});
