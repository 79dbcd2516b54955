/**
 * Progress display. On a terminal: cli-progress bars (one for the dynamics fit, one
 * for policy training) with live losses and speed. Elsewhere (CI logs, pipes): no
 * bars, one plain line per epoch, so logs stay readable.
 */
import type { MultiBar, SingleBar } from 'cli-progress';

export interface ProgressBar {
  update(value: number, info: Record<string, string | number>): void;
  stop(): void;
}

export interface Progress {
  bar(label: string, total: number): ProgressBar;
  /** A line of text above the bars (or on its own line without them). */
  log(line: string): void;
  stop(): void;
}

export async function createProgress(mode: 'auto' | 'bars' | 'lines', stream: NodeJS.WriteStream = process.stdout): Promise<Progress> {
  const bars = mode === 'bars' || (mode === 'auto' && stream.isTTY === true);
  return bars ? await barProgress(stream) : lineProgress(stream);
}

function lineProgress(stream: NodeJS.WriteStream): Progress {
  return {
    bar: () => ({ update: () => {}, stop: () => {} }),
    log: (line) => stream.write(`${line}\n`),
    stop: () => {},
  };
}

async function barProgress(stream: NodeJS.WriteStream): Promise<Progress> {
  const { default: cliProgress } = await import('cli-progress');
  const multi: MultiBar = new cliProgress.MultiBar(
    {
      stream,
      format: '{label} |{bar}| {value}/{total} {info}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    bar(label, total) {
      const bar: SingleBar = multi.create(total, 0, { label: label.padEnd(8), info: '' });
      return {
        update: (value, info) => bar.update(value, { info: formatInfo(info) }),
        stop: () => bar.stop(),
      };
    },
    log: (line) => multi.log(`${line}\n`),
    stop: () => multi.stop(),
  };
}

export function formatInfo(info: Record<string, string | number>): string {
  return Object.entries(info)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
    .join(' | ');
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? v.toExponential(2) : v.toFixed(abs < 1 ? 4 : 2);
}
