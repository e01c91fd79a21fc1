/**
 * The report page in a real browser: headless Chromium renders a fixture's index.html, the
 * screenshot must not be blank (PNG decoded here, pixel variance checked) and the rendered DOM
 * must hold every figure. Chromium is optional on a workstation (the test is skipped), but CI
 * installs it, so there a missing Chromium fails the test.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { reportFolder } from '../../src/report/index.ts';
import { copyFixture } from './fixture-data.ts';
import { decodePng, lumaStats } from './png.ts';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const mustRun = Boolean(process.env.CI);

const made: string[] = [];
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

/** Runs headless Chromium with a fresh profile; resolves with stdout. */
async function chromium(args: string[]): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'tcplab-chromium-'));
  made.push(profile);
  const base = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    '--hide-scrollbars',
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, [...base, ...args], { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe.skipIf(!available && !mustRun)('report page in headless Chromium', () => {
  it('finds Chromium (CI installs it)', () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} not found; install chromium or set CHROMIUM`).toBe(true);
  });

  it('renders the syn-flood page: a non-blank screenshot and every figure in the DOM', async () => {
    const dir = await copyFixture('syn-flood');
    made.push(dir);
    const { figures } = await reportFolder(dir);
    const url = pathToFileURL(join(dir, 'index.html')).href;

    const png = join(dir, 'page.png');
    await chromium([`--screenshot=${png}`, '--window-size=1280,2000', url]);
    const img = decodePng(await readFile(png));
    expect([img.width, img.height]).toEqual([1280, 2000]);
    const stats = lumaStats(img);
    // A blank page is uniformly white: variance ~0. Text, axes and coloured series are not.
    expect(stats.variance).toBeGreaterThan(200);
    expect(stats.nonWhite).toBeGreaterThan(0.01);

    const dom = await chromium(['--dump-dom', url]);
    expect(dom.match(/<figure id="fig-\d+">/g)).toHaveLength(figures.length);
    expect(dom.match(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/g)).toHaveLength(figures.length);
    for (const t of [
      'SYN queue occupancy',
      'Connection success under SYN flood',
      'Handshake with a lost SYN',
      'SYN seq=0 (retx)',
      'lost at r1 (loss)',
    ]) {
      expect(dom).toContain(t);
    }
  });

  it('renders a ladder figure file on its own', async () => {
    const dir = await copyFixture('close');
    made.push(dir);
    const { figures } = await reportFolder(dir);
    const png = join(dir, 'ladder.png');
    await chromium([`--screenshot=${png}`, '--window-size=700,720', pathToFileURL(figures[0]!).href]);
    const stats = lumaStats(decodePng(await readFile(png)));
    expect(stats.variance).toBeGreaterThan(200);
  });
});
