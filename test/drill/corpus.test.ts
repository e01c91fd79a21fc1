/**
 * The conformance scoreboard: runs the packetdrill corpus (../shared/conformance/packetdrill),
 * Linux's whole suite (../shared/conformance/upstream/gtests), both beside the repository, and
 * tcplab's own scripts (test/drill/scripts), regenerates docs/conformance.md, and fails when the
 * committed file differs, so the scoreboard is always true. Without ../shared (a bare clone) the
 * corpus checks are skipped, saying so; under CI they fail instead (corpus-location.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScripts } from '../../src/drill/command.ts';
import { runScriptFile } from '../../src/drill/drill.ts';
import { percent, renderScoreboard, type ScoreboardSection } from '../../src/drill/scoreboard.ts';
import { CONFORMANCE_NOTES } from './conformance-notes.ts';
import { inScope, RECOVERY_FOLDERS, SOCKET_FOLDERS, UPSTREAM_NOTES, upstreamNote } from './upstream-scope.ts';
import { corpusDir as corpus, corpusSkipped, corpusTitle, requireCorpus } from './corpus-location.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const upstream = path.resolve(repoRoot, '../shared/conformance/upstream/gtests');
const own = path.resolve(repoRoot, 'test/drill/scripts');
const scoreboard = path.join(repoRoot, 'docs/conformance.md');
const haveCorpus = existsSync(corpus) && existsSync(upstream);

function section(
  title: string,
  dir: string,
  root: string,
  intro: string,
  note: (script: string) => string | undefined,
): ScoreboardSection {
  return {
    title,
    root,
    intro,
    results: listScripts(dir).map((f) => {
      const script = path.relative(dir, f).split(path.sep).join('/');
      return { script, result: runScriptFile(f), note: note(script) };
    }),
  };
}

type Results = ScoreboardSection['results'];
const folderOf = (script: string): string => script.split('/')[0]!;
const passes = (rs: Results): number => rs.filter((r) => r.result.verdict === 'PASS').length;

/** The upstream section's headline figures and per-folder table. */
function upstreamSummary(results: Results): string[] {
  const scoped = results.filter((r) => inScope(r.script));
  const socket = results.filter((r) => SOCKET_FOLDERS.includes(folderOf(r.script)));
  const recovery = results.filter((r) => RECOVERY_FOLDERS.includes(folderOf(r.script)));
  const lines = [
    `**In scope: ${passes(scoped)} of ${scoped.length} scripts pass (${percent(passes(scoped), scoped.length)} %)** (everything but the folders and IPv6-only scripts the corpus README puts out of scope).`,
    `Socket-surface folders (${SOCKET_FOLDERS.join(', ')}): ${passes(socket)} of ${socket.length} pass (${percent(passes(socket), socket.length)} %).`,
    `Loss-recovery folders (${RECOVERY_FOLDERS.join(', ')}; the corpus has no cwnd_moderation folder): ${passes(recovery)} of ${recovery.length} pass (${percent(passes(recovery), recovery.length)} %).`,
    '',
    '| folder | scope | scripts | PASS | FAIL | SKIP | ERROR |',
    '|---|---|---|---|---|---|---|',
  ];
  const folders = [...new Set(results.map((r) => folderOf(r.script)))];
  for (const f of folders) {
    const rs = results.filter((r) => folderOf(r.script) === f);
    const n = (v: string): number => rs.filter((r) => r.result.verdict === v).length;
    const scope = !inScope(`${f}/x.pkt`) ? 'out' : SOCKET_FOLDERS.includes(f) ? 'in (sockets)' : 'in';
    lines.push(`| ${f} | ${scope} | ${rs.length} | ${n('PASS')} | ${n('FAIL')} | ${n('SKIP')} | ${n('ERROR')} |`);
  }
  return lines;
}

describe.skipIf(corpusSkipped)(corpusTitle('the conformance scoreboard'), () => {
  if (!haveCorpus) {
    it('needs ../shared/conformance (packetdrill and upstream/gtests)', () => {
      requireCorpus();
      expect(existsSync(upstream), `${upstream} is missing`).toBe(true);
    });
    return;
  }
  const upstreamSection = section(
    "Upstream: Linux's whole TCP suite",
    upstream,
    '../shared/conformance/upstream/gtests',
    "google/packetdrill `gtests/net/tcp/`, all 140 scripts (see that folder's README for the scope). The why column names the missing feature of every in-scope FAIL; SKIP reasons name the first unmodelled feature.",
    upstreamNote,
  );
  upstreamSection.summary = upstreamSummary(upstreamSection.results);
  // A folder's note explains its failures: a script of it that passes needs none.
  for (const r of upstreamSection.results) if (r.result.verdict === 'PASS' && inScope(r.script)) r.note = undefined;
  const sections = [
    section(
      'Corpus',
      corpus,
      '../shared/conformance/packetdrill',
      "Linux's own packetdrill tests (google/packetdrill gtests, kernel selftests) and tcplab's Linux-measured retry schedules; see that folder's README.",
      (s) => CONFORMANCE_NOTES[s],
    ),
    upstreamSection,
    section(
      'tcplab scripts',
      own,
      'test/drill/scripts',
      'Behaviours the corpus does not cover (SYN cookies, keepalive, TIME-WAIT, SYN-ACK give-up, SYN_RECV rate limiting and window, RST to a closed port), written from Linux 6.x behaviour.',
      () => undefined,
    ),
  ];

  it('explains every corpus FAIL, and only those that do not pass', () => {
    const corpusResults = sections[0]!.results;
    expect(
      corpusResults
        .filter((r) => r.result.verdict === 'FAIL' && r.note === undefined)
        .map((r) => `${r.script}: ${r.result.reason}`),
      'FAILs without a note in test/drill/conformance-notes.ts',
    ).toEqual([]);
    expect(
      corpusResults.filter((r) => r.result.verdict === 'PASS' && r.note !== undefined).map((r) => r.script),
      'stale notes on passing scripts',
    ).toEqual([]);
    const known = new Set(corpusResults.map((r) => r.script));
    expect(
      Object.keys(CONFORMANCE_NOTES).filter((k) => !known.has(k)),
      'notes for scripts not in the corpus',
    ).toEqual([]);
  });

  it('parses every upstream script and explains every in-scope upstream FAIL', () => {
    const rs = upstreamSection.results;
    expect(rs.length).toBe(140);
    expect(
      rs.filter((r) => r.result.verdict === 'ERROR').map((r) => `${r.script}: ${r.result.reason}`),
      'scripts the parser rejects',
    ).toEqual([]);
    expect(
      rs
        .filter((r) => r.result.verdict === 'FAIL' && inScope(r.script) && r.note === undefined)
        .map((r) => `${r.script}: ${r.result.reason}`),
      'FAILs without a note in test/drill/upstream-scope.ts',
    ).toEqual([]);
    const scriptNotes = Object.keys(UPSTREAM_NOTES).filter((k) => !k.endsWith('/'));
    const passing = new Set(rs.filter((r) => r.result.verdict === 'PASS').map((r) => r.script));
    expect(
      scriptNotes.filter((k) => passing.has(k)),
      'stale notes on passing scripts',
    ).toEqual([]);
    const known = new Set(rs.map((r) => r.script));
    expect(
      scriptNotes.filter((k) => !known.has(k)),
      'notes for scripts not in the suite',
    ).toEqual([]);
  });

  it('docs/conformance.md is the scoreboard of the current engine', () => {
    const text = renderScoreboard(sections);
    const committed = existsSync(scoreboard) ? readFileSync(scoreboard, 'utf8') : '';
    if (committed !== text) writeFileSync(scoreboard, text);
    expect(committed, 'docs/conformance.md was out of date: it has been regenerated, review and commit it').toBe(text);
  });
});
