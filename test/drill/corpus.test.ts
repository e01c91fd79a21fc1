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

const repoRoot = path.resolve(import.meta.dirname, '../..');
const corpus = path.resolve(repoRoot, '../shared/conformance/packetdrill');
const own = path.resolve(repoRoot, 'test/drill/scripts');
const scoreboard = path.join(repoRoot, 'docs/conformance.md');

function section(title: string, dir: string, root: string, intro: string): ScoreboardSection {
  return {
    title, root, intro,
    results: listScripts(dir).map((f) => ({ script: path.relative(dir, f).split(path.sep).join('/'), result: runScriptFile(f) })),
  };
}

it('docs/conformance.md is the scoreboard of the current engine', () => {
  const text = renderScoreboard([
    section('Corpus', corpus, '../shared/conformance/packetdrill', 'Linux\'s own packetdrill tests (google/packetdrill gtests, kernel selftests) and tcplab\'s Linux-measured retry schedules; see that folder\'s README.'),
    section('tcplab scripts', own, 'test/drill/scripts', 'Behaviours the corpus does not cover (SYN cookies, keepalive, TIME-WAIT, SYN-ACK give-up, RST to a closed port), written from Linux 6.x behaviour.'),
  ]);
  const committed = existsSync(scoreboard) ? readFileSync(scoreboard, 'utf8') : '';
  if (committed !== text) writeFileSync(scoreboard, text);
  expect(committed, 'docs/conformance.md was out of date: it has been regenerated, review and commit it').toBe(text);
});
