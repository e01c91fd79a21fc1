/**
 * The trace explorer on a results page written by `tcplab report`, opened from file:// in the
 * system Chromium (puppeteer-core): the connection list fills from explore/ beside the page, the
 * first connection's ladder is drawn, a filter narrows the list, another connection opens on
 * click (its chunk loaded then), a click on a segment lists every field of its records with the
 * drop reason, and the wheel zooms the time axis. Skipped, saying so, without Chromium (CI has it).
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportFolder } from '../../src/report/index.ts';
import { copyFixture } from '../report/fixture-data.ts';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const mustRun = Boolean(process.env.CI);
const title =
  available || mustRun
    ? 'trace explorer on a results page in headless Chromium'
    : `SKIP: trace explorer in headless Chromium (skipped: no chromium at ${CHROMIUM}; apt-get install chromium, or set CHROMIUM)`;

describe.skipIf(!available && !mustRun)(title, () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await copyFixture('syn-flood');
    await reportFolder(dir);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("lists connections, draws ladders, filters, shows a dropped segment's fields and zooms", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push((e as Error).message));
    await page.setViewport({ width: 1100, height: 900 });
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    await page.waitForSelector('[data-tcplab-explorer][data-open]', { timeout: 20_000 });
    const total = await page.$eval('.tx-count', (e) => e.textContent!);
    const [, shown, all] = /^(\d+) of (\d+) connections$/.exec(total)!;
    expect(Number(shown)).toBe(Number(all));
    expect(Number(all)).toBeGreaterThan(1);
    expect(await page.$$eval('.tx-svg .tx-msg', (m) => m.length)).toBeGreaterThan(0);
    // Segment labels never overlap: those that would are hidden (and counted above the ladder).
    const overlaps = await page.$$eval('.tx-msg text', (ts) => {
      const boxes = ts
        .filter((t) => t.getAttribute('visibility') !== 'hidden' && t.textContent)
        .map((t) => t.getBoundingClientRect());
      let n = 0;
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!,
            b = boxes[j]!;
          // Rotated labels' boxes are wider than the text: count only a clear overlap of both.
          const ox = Math.min(a.right, b.right) - Math.max(a.left, b.left),
            oy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (ox > 4 && oy > 4 && Math.abs(a.top + a.bottom - b.top - b.bottom) / 2 < 8) n++;
        }
      return { n, shown: boxes.length };
    });
    expect(overlaps.shown).toBeGreaterThan(0);
    expect(overlaps.n).toBe(0);
    // Pointing at a segment shows its fields before any click.
    await page.evaluate(() => document.querySelector('.tx-msg')!.dispatchEvent(new MouseEvent('mouseenter')));
    expect((await page.$$eval('.tx-details caption', (c) => c.map((x) => x.textContent)))[0]).toMatch(/^sent by /);

    // Only the connections with a dropped segment: the fixture has one, its SYN lost at r1.
    await page.click('[data-tcplab-explorer] .tx-bar label:nth-of-type(5) input');
    expect(await page.$eval('.tx-count', (e) => e.textContent)).toBe(`1 of ${all} connections`);
    await page.click('.tx-row');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-tcplab-explorer]')!.getAttribute('data-open') !== '0' ||
        document.querySelectorAll('.tx-msg').length > 0,
    );
    const dropped = await page.$$eval('.tx-msg', (gs) => gs.findIndex((g) => (g.textContent ?? '').includes('✕')));
    expect(dropped).toBeGreaterThanOrEqual(0);
    await page.evaluate(
      (i) => document.querySelectorAll('.tx-msg')[i]!.dispatchEvent(new MouseEvent('click', { bubbles: true })),
      dropped,
    );
    const captions = await page.$$eval('.tx-details caption', (c) => c.map((x) => x.textContent));
    expect(captions).toEqual(['sent by client1', 'dropped at r1: loss']);
    const fields = await page.$$eval('.tx-details th', (th) => th.map((x) => x.textContent));
    for (const f of ['t', 'node', 'ev', 'flags', 'seq', 'ack', 'len', 'win', 'src', 'dst', 'reason'])
      expect(fields).toContain(f);

    // The wheel zooms the time axis: the ticks change, the endpoints stay.
    const ticks = (): Promise<string[]> => page.$$eval('.tx-axis .tick text', (t) => t.map((x) => x.textContent ?? ''));
    const before = await ticks();
    const box = (await (await page.$('.tx-svg'))!.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel({ deltaY: -600 });
    await page.waitForFunction(
      (b) => JSON.stringify([...document.querySelectorAll('.tx-axis .tick text')].map((x) => x.textContent)) !== b,
      { timeout: 5_000 },
      JSON.stringify(before),
    );
    expect(await ticks()).not.toEqual(before);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens the connection a #explore=<run>/<i> link names, and links the slowest handshakes', async () => {
    const page = await browser.newPage();
    await page.goto(`${pathToFileURL(join(dir, 'index.html')).href}#explore=p0-s1/1`);
    await page.waitForSelector('[data-tcplab-explorer][data-open="1"]', { timeout: 20_000 });
    expect(await page.$eval('.tx-row.on', (r) => (r as HTMLElement).dataset.conn)).toBe('1');
    const slow = await page.$$eval('.tx-outliers a', (as) => as.map((a) => a.getAttribute('href')));
    expect(slow.length).toBeGreaterThan(0);
    expect(slow.every((h) => /^#explore=p0-s1\/\d+$/.test(h ?? ''))).toBe(true);
    // The handshake-time CDF's caption links its slowest traced handshake to its ladder.
    const fromCdf = await page.$$eval('figcaption a[href^="#explore="]', (as) =>
      as.map((a) => a.getAttribute('href')!),
    );
    expect(fromCdf.length).toBeGreaterThan(0);
    const target = /\/(\d+)$/.exec(fromCdf[0]!)![1]!;
    await page.click(`figcaption a[href="${fromCdf[0]}"]`);
    await page.waitForSelector(`[data-tcplab-explorer][data-open="${target}"]`, { timeout: 10_000 });
    await page.close();
  });
});
