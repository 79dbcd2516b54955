// The replay page in headless Chromium (Debian's), as a person uses it: it loads from a
// file with no network and no console errors, draws the scene, shows the motion, and
// its controls (play/pause, speed, step slider, episode, reward curve, space) work.
// The page's clock is Playwright's, so playback is checked in exact simulated time.
// Screenshots are kept in $MOPO_VIEW_SCREENSHOTS when that is set, for a person to look at.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv } from '../../src/envs/registry.js';
import { EpisodeRecorder, writeRecording } from '../../src/train/episode-recording.js';
import { evaluatePolicy } from '../../src/train/evaluate.js';
import { removeTempDirs, runCli, tempDir } from '../helpers/cli.js';
import { chromiumMissing, compareScreenshots, launchChromium, type Browser } from './chromium.js';
import { swingingLegs } from './swinging-legs.js';

const missing = chromiumMissing();
if (missing) console.warn(`Skipping the replay page tests in Chromium: ${missing}.`);

const root = path.resolve(import.meta.dirname, '../..');
const cwd = tempDir('mopo-view-');
const screenshots = process.env.MOPO_VIEW_SCREENSHOTS ?? null;

/** A run directory with two recordings: 400 and 100 steps of swinging legs. */
async function recordRun(): Promise<void> {
  for (const [steps, name] of [
    [400, 'step-400'],
    [100, 'step-100'],
  ] as const) {
    const env = await makeEnv('HalfCheetah', { maxEpisodeSteps: steps });
    const recorder = new EpisodeRecorder(1);
    evaluatePolicy(env, swingingLegs(), { episodes: 1, seed: steps, observer: recorder });
    env.close();
    writeRecording(path.join(cwd, 'run/recordings', `${name}.episodes.json.gz`), recorder.recording({ step: steps })!);
  }
}

function keep(name: string, png: Buffer): void {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  writeFileSync(path.join(screenshots, name), png);
}

async function stepShown(page: Page): Promise<{ step: number; of: number }> {
  const text = (await page.textContent('#status')) ?? '';
  const match = /^step (\d+) \/ (\d+) · /.exec(text);
  if (!match) throw new Error(`unexpected status '${text}'`);
  return { step: Number(match[1]), of: Number(match[2]) };
}

let browser: Browser | null = null;

beforeAll(async () => {
  await recordRun();
  if (!missing) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  removeTempDirs();
});

describe.skipIf(missing !== null)('the replay page in headless Chromium', () => {
  let page: Page;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    const written = runCli('mopo-view', ['run', '--out', 'page.html'], { cwd });
    expect(written.stderr).toBe('');
    expect(written.stdout).toMatch(/^Wrote .*page\.html: 2 episodes of HalfCheetah from 2 recordings \(\d+\.\d MB\)$/m);
    page = await browser!.context.newPage();
    page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.request().url().startsWith('file:') ? route.continue() : route.abort();
    });
    // The page's time stands still but when a test moves it.
    await page.clock.install({ time: 0 });
    await page.clock.pauseAt(1000);
    await page.goto(pathToFileURL(path.join(cwd, 'page.html')).href);
    await page.clock.runFor(50);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('loads from one file with no other request and no console error, and starts playing the first episode', async () => {
    expect(requests).toEqual([pathToFileURL(path.join(cwd, 'page.html')).href]);
    expect(problems).toEqual([]);
    expect(await page.textContent('#play')).toBe('Pause');
    expect(await page.locator('#episode option').allTextContents()).toEqual([
      expect.stringMatching(/^recordings\/step-400\.episodes\.json\.gz · return -?\d+\.\d · 400 steps$/),
      expect.stringMatching(/^recordings\/step-100\.episodes\.json\.gz · return -?\d+\.\d · 100 steps$/),
    ]);
    expect((await stepShown(page)).of).toBe(400);
    const html = readFileSync(path.join(cwd, 'page.html'), 'utf8');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
  });

  it('plays in simulated time × speed, and pauses', async () => {
    const start = (await stepShown(page)).step;
    await page.clock.runFor(400);
    // 0.4 s at 1× is 8 steps of 0.05 s (give or take the frame in progress).
    const playing = await stepShown(page);
    expect(playing.step - start).toBeGreaterThanOrEqual(7);
    expect(playing.step - start).toBeLessThanOrEqual(8);
    await page.click('#play');
    expect(await page.textContent('#play')).toBe('Play');
    await page.clock.runFor(400);
    expect((await stepShown(page)).step).toBe(playing.step);
    await page.selectOption('#speed', '4');
    await page.click('#play');
    await page.clock.runFor(200);
    // 0.2 s at 4× is 16 steps, less what passes before the first frame after play and after the last one (up to 16 ms each).
    const faster = (await stepShown(page)).step - playing.step;
    expect(faster).toBeGreaterThanOrEqual(13);
    expect(faster).toBeLessThanOrEqual(16);
    await page.keyboard.press('Space');
    expect(await page.textContent('#play')).toBe('Play');
  });

  it('draws the cheetah from the model’s geometry, and two steps of a moving episode differ', async () => {
    await page.locator('#step').fill('200');
    await page.clock.runFor(50);
    expect(await stepShown(page)).toEqual({ step: 200, of: 400 });
    const canvas = page.locator('#scene canvas');
    const at200 = await canvas.screenshot();
    await page.locator('#step').fill('212');
    await page.clock.runFor(50);
    const at212 = await canvas.screenshot();
    keep('step-200.png', at200);
    keep('step-212.png', at212);
    keep('page.png', await page.screenshot());
    const { first, second, changed } = await compareScreenshots(page, at200, at212);
    for (const image of [first, second]) {
      expect(image.width).toBeGreaterThan(500);
      expect(image.colours).toBeGreaterThan(100);
      expect(image.foreground).toBeGreaterThan(0.2);
    }
    expect(changed).toBeGreaterThan(0.002);
    expect(problems).toEqual([]);
  });

  it('switches episodes, and the reward curve under the scene jumps to the step clicked', async () => {
    await page.selectOption('#episode', '1');
    await page.clock.runFor(50);
    expect(await page.textContent('#status')).toBe('step 0 / 100 · 0.00 s · return 0.0');
    const over = page.locator('#rewards .u-over');
    const box = (await over.boundingBox())!;
    expect(box.width).toBeGreaterThan(400);
    const sceneBox = (await page.locator('#scene').boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(sceneBox.y + sceneBox.height - 1);
    await over.click({ position: { x: box.width / 2, y: box.height / 2 } });
    await page.clock.runFor(50);
    const { step, of } = await stepShown(page);
    expect(of).toBe(100);
    expect(Math.abs(step - 50)).toBeLessThanOrEqual(2);
    expect(await page.textContent('#play')).toBe('Play');
    expect(problems).toEqual([]);
  });
});

describe.skipIf(missing !== null)('mopo-view serving a recording', () => {
  it('prints its address on 127.0.0.1, serves the page there, and stops on Ctrl-C', async () => {
    const recording = path.join(cwd, 'run/recordings/step-100.episodes.json.gz');
    const child = spawn(process.execPath, [path.join(root, 'bin/mopo-view.js'), recording], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /at (http:\/\/127\.0\.0\.1:\d+\/) \(Ctrl-C to stop\)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.on('close', () => reject(new Error(`mopo-view exited early: ${out}`)));
    });
    const page = await browser!.context.newPage();
    try {
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url);
      // The browser's clock is the one the tests above paused: move it on by hand.
      await page.clock.runFor(100);
      expect(await page.textContent('#status')).toMatch(/^step \d+ \/ 100 · /);
      expect(await page.locator('#episode option').count()).toBe(1);
      expect(errors).toEqual([]);
      expect((await fetch(`${url}missing`)).status).toBe(404);
    } finally {
      await page.close();
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
