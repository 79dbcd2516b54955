/**
 * The report page in a real browser: Debian's headless Chromium, driven by
 * playwright-core. The page must draw every chart with no console error and no
 * request beyond the file itself, and its table must hold the fixture's numbers.
 * Set MOPO_REPORT_SCREENSHOT=<file.png> to keep a full-page screenshot to look at.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, runCli, tempDir } from '../helpers/cli.js';
import { writeFixtureSweep } from './fixture-runs.js';

const CHROMIUM = '/usr/bin/chromium';

/** The part of a browser canvas these tests read (the project's TypeScript has no DOM library). */
interface PixelCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Skipping the report page tests: ${CHROMIUM} is absent (apt-get install -y chromium).`);

describe.skipIf(!hasChromium)('mopo-report page in headless Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let html: string;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    const dir = path.join(tempDir('mopo-report-'), 'sweep');
    writeFixtureSweep(dir);
    const result = runCli('mopo-report', [dir]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const file = path.join(dir, 'report.html');
    html = readFileSync(file, 'utf8');

    context = await chromium.launchPersistentContext(tempDir('mopo-chromium-'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-charts-drawn]', { timeout: 20_000 });
    const screenshot = process.env.MOPO_REPORT_SCREENSHOT;
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  });

  afterAll(async () => {
    await context?.close();
    removeTempDirs();
  });

  it('loads nothing but itself and logs no error', () => {
    expect(problems).toEqual([]);
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });

  it('draws a chart in every figure', async () => {
    const figures = await page.locator('figure[data-chart]').count();
    expect(figures).toBe(15);
    expect(await page.getAttribute('body', 'data-charts-drawn')).toBe(String(figures));
    const inked = await page.$$eval('figure[data-chart] canvas', (canvases) =>
      canvases.map((canvas) => {
        const c = canvas as unknown as PixelCanvas;
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let coloured = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && Math.max(data[i]!, data[i + 1]!, data[i + 2]!) - Math.min(data[i]!, data[i + 1]!, data[i + 2]!) > 40) coloured++;
        return coloured;
      }),
    );
    expect(inked).toHaveLength(figures);
    // Grid and axes are grey; only the data lines and bands have colour.
    for (const count of inked) expect(count).toBeGreaterThan(200);
  });

  it('draws each configuration of the score chart as a line with its min–max band', async () => {
    const colours = await page.$eval('figure[data-chart]:has(code:text-is("eval/normalized_score")) canvas', (canvas) => {
      const c = canvas as unknown as PixelCanvas;
      const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      const near = (i: number, rgb: number[]) => rgb.every((v, k) => Math.abs(data[i + k]! - v) <= 25);
      const counts = { blueLine: 0, redLine: 0, blueBand: 0, redBand: 0 };
      // The canvas is transparent: a line is its colour at full alpha, a band the same colour at 18 % alpha.
      const alphaOf = (i: number) => (data[i + 3]! > 200 ? 'Line' : Math.abs(data[i + 3]! - 0.18 * 255) < 12 ? 'Band' : null);
      for (let i = 0; i < data.length; i += 4) {
        const kind = alphaOf(i);
        if (kind === null) continue;
        if (near(i, [31, 119, 180])) counts[`blue${kind}`]++;
        if (near(i, [214, 39, 40])) counts[`red${kind}`]++;
      }
      return counts;
    });
    expect(colours.blueLine).toBeGreaterThan(300);
    expect(colours.redLine).toBeGreaterThan(300);
    expect(colours.blueBand).toBeGreaterThan(2000);
    expect(colours.redBand).toBeGreaterThan(2000);
  });

  it('shows the results table with mean ± std over the two seeds', async () => {
    const cells = await page.$$eval('#results-table tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent)));
    expect(cells).toEqual([
      ['halfcheetah-random-v2', 'algo.h=1', '2', '35.0 ± 5.0', '31.0 ± 3.0', '3100.0 ± 300.0', '3000'],
      ['halfcheetah-random-v2', 'algo.h=5', '2', '53.0 ± 3.0', '47.0 ± 2.0', '4700.0 ± 200.0', '3000'],
    ]);
  });
});
