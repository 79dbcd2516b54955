/// <reference lib="dom" />
/**
 * Debian's Chromium, headless, driven by playwright-core: the flags keep it off the
 * network (this machine has none) and away from any profile but a fresh one.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is absent (Debian: apt-get install -y chromium)`;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'mopo-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 760, height: 520 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface ImageStats {
  width: number;
  height: number;
  /** Distinct colours (RGB) among the pixels. */
  colours: number;
  /** Share of pixels that differ from the most common colour (the background). */
  foreground: number;
}

/** Decodes PNG screenshots with the browser's own decoder; stats of the first, and the share of pixels that differ between the two. */
export async function compareScreenshots(page: Page, first: Buffer, second: Buffer): Promise<{ first: ImageStats; second: ImageStats; changed: number }> {
  return page.evaluate(
    async ([a, b]) => {
      const pixels = async (base64: string) => {
        const image = new Image();
        image.src = `data:image/png;base64,${base64}`;
        await image.decode();
        const canvas = new OffscreenCanvas(image.width, image.height);
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(image, 0, 0);
        return ctx.getImageData(0, 0, image.width, image.height);
      };
      const stats = (data: ImageData) => {
        const counts = new Map<number, number>();
        for (let i = 0; i < data.data.length; i += 4) {
          const rgb = (data.data[i]! << 16) | (data.data[i + 1]! << 8) | data.data[i + 2]!;
          counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
        }
        const total = data.width * data.height;
        return { width: data.width, height: data.height, colours: counts.size, foreground: 1 - Math.max(...counts.values()) / total };
      };
      const [one, two] = [await pixels(a), await pixels(b)];
      let changed = 0;
      for (let i = 0; i < one.data.length; i += 4) {
        if (Math.abs(one.data[i]! - two.data[i]!) + Math.abs(one.data[i + 1]! - two.data[i + 1]!) + Math.abs(one.data[i + 2]! - two.data[i + 2]!) > 24) changed += 1;
      }
      return { first: stats(one), second: stats(two), changed: changed / (one.width * one.height) };
    },
    [first.toString('base64'), second.toString('base64')] as const,
  );
}
