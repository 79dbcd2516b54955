/**
 * Progress display. On a terminal: live bars at the bottom of the screen (log-update
 * redraws them in place), each with its count, elapsed time, ETA, speed and latest
 * values; log lines scroll above them, whole (the terminal wraps long ones), and a bar that stops stays in the scrollback as
 * its final line, so what is printed after it (the final scores, the last checkpoint,
 * the Ctrl-C notice) reads in order below it. In a pipe or CI log: no bars and no
 * escape codes; a bar prints a plain line when asked to (on every update, or every
 * tenth of its total), so a long phase is never silent.
 *
 * cli-progress's MultiBar is not used here: it drops log lines queued when it stops,
 * clears only the first of several queued lines, and does not redraw a bar whose text
 * did not change after a log line moved it, which left the ends of old bars behind.
 */

export type LineEvery = 'update' | 'tenth' | 'never';

export interface BarOptions {
  /** What the count counts, plural: "steps", "epochs". */
  unit: string;
  /** Without bars: a line on every update, whenever another tenth of the total is done, or never (the caller logs its own lines). */
  lines?: LineEvery;
  /** The total is an upper bound that an early stop may cut short: the ETA says "≤". */
  mayEndEarly?: boolean;
  /** Show the speed, `<units>/s`, averaged since the bar started. */
  speed?: boolean;
}

/** Values shown after the count and times; missing and non-finite numbers are left out. */
export type BarInfo = Record<string, string | number | null | undefined>;

export interface ProgressBar {
  update(value: number, info?: BarInfo): void;
  /** Ends the bar; on a terminal its last state stays as a line above what follows. */
  stop(): void;
}

export interface Progress {
  /** True when bars are drawn (a terminal), false when plain lines are printed. */
  readonly bars: boolean;
  /** A bar counting to `total` (null: open-ended, a count without bar or ETA), starting at `start`. */
  bar(label: string, total: number | null, options: BarOptions, start?: number): ProgressBar;
  /** A line of text above the bars (or on its own line without them). */
  log(line: string): void;
  /** Stops every bar; later lines are printed plainly. */
  stop(): void;
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export async function createProgress(mode: 'auto' | 'bars' | 'lines', stream: ProgressStream = process.stdout): Promise<Progress> {
  const bars = mode === 'bars' || (mode === 'auto' && stream.isTTY === true);
  return bars ? await TerminalProgress.open(stream) : new LineProgress((line) => stream.write(`${line}\n`));
}

/** Plain lines handed to `write`, one call a line (a library caller's log callback). */
export function lineProgress(write: (line: string) => void): Progress {
  return new LineProgress(write);
}

/** A bar's numbers and how they read; no terminal involved (the line printer and tests use it too). */
export class BarState {
  value: number;
  info: BarInfo = {};
  private readonly startValue: number;

  constructor(
    readonly label: string,
    readonly total: number | null,
    readonly options: BarOptions,
    start: number,
    private readonly startedAt: number,
  ) {
    this.value = start;
    this.startValue = start;
  }

  set(value: number, info?: BarInfo): void {
    this.value = value;
    if (info) this.info = info;
  }

  /**
   * Units per second since the bar started; null until there is something to average. Half a
   * second keeps the first updates from showing a wild rate; a finished bar always shows its
   * average, however quickly it got there.
   */
  speed(now: number): number | null {
    const seconds = (now - this.startedAt) / 1000;
    const done = this.value - this.startValue;
    const finished = this.total !== null && this.value >= this.total;
    return done > 0 && (seconds >= 0.5 || (finished && seconds > 0)) ? done / seconds : null;
  }

  /** Seconds left at the average speed so far; null when unknown or done. */
  eta(now: number): number | null {
    const speed = this.speed(now);
    if (this.total === null || speed === null || this.value >= this.total) return null;
    return (this.total - this.value) / speed;
  }

  /** Everything but the bar itself: `776/3000 steps | 1:42 elapsed, ETA 4:51 | 7.62 steps/s | critic 3.99`. */
  text(now: number): string {
    const { unit } = this.options;
    const parts = [this.total === null ? `${this.value} ${unit}` : `${this.value}/${this.total} ${unit}`];
    const eta = this.eta(now);
    parts.push(`${formatDuration((now - this.startedAt) / 1000)} elapsed${eta === null ? '' : `, ETA ${this.options.mayEndEarly ? '≤ ' : ''}${formatDuration(eta)}`}`);
    const speed = this.options.speed ? this.speed(now) : null;
    if (speed !== null) parts.push(`${formatNumber(speed)} ${unit}/s`);
    const info = formatInfo(this.info);
    if (info !== '') parts.push(info);
    return parts.join(' | ');
  }

  /** The plain line printed without a terminal. */
  line(now: number): string {
    return `${this.label} ${this.text(now)}`;
  }

  /** One terminal row of at most `width` characters: the label, a bar sized to what fits, the text. */
  render(now: number, width: number): string {
    const label = this.label.padEnd(8);
    const text = this.text(now);
    if (this.total === null) return clip(`${label} ${text}`, width);
    const size = Math.max(10, Math.min(30, width - label.length - text.length - 4));
    const filled = this.total > 0 ? Math.round(size * Math.min(1, Math.max(0, this.value / this.total))) : size;
    return clip(`${label} |${'█'.repeat(filled)}${'░'.repeat(size - filled)}| ${text}`, width);
  }
}

class LineProgress implements Progress {
  readonly bars = false;

  constructor(private readonly write: (line: string) => void) {}

  bar(label: string, total: number | null, options: BarOptions, start = 0): ProgressBar {
    const state = new BarState(label, total, options, start, performance.now());
    const every = options.lines ?? 'never';
    let tenthsShown = tenths(state);
    return {
      update: (value, info) => {
        state.set(value, info);
        const reached = tenths(state);
        if (every === 'update' || (every === 'tenth' && reached > tenthsShown)) this.log(state.line(performance.now()));
        tenthsShown = Math.max(tenthsShown, reached);
      },
      stop: () => {},
    };
  }

  log(line: string): void {
    this.write(line);
  }

  stop(): void {}
}

function tenths(state: BarState): number {
  return state.total === null || state.total <= 0 ? 0 : Math.floor((10 * state.value) / state.total);
}

type LogUpdate = ((text: string) => void) & { clear(): void; done(): void };

/** How often the bars are redrawn at most, and how often the clocks move when no update comes. */
const REDRAW_MS = 200;
const CLOCK_MS = 1000;

class TerminalProgress implements Progress {
  readonly bars = true;
  private readonly live: BarState[] = [];
  private lastDraw = 0;
  private clock: NodeJS.Timeout | null = null;

  private constructor(
    private readonly stream: ProgressStream,
    private readonly frame: LogUpdate,
  ) {}

  static async open(stream: ProgressStream): Promise<TerminalProgress> {
    const { createLogUpdate } = await import('log-update');
    return new TerminalProgress(stream, createLogUpdate(stream as NodeJS.WriteStream) as LogUpdate);
  }

  bar(label: string, total: number | null, options: BarOptions, start = 0): ProgressBar {
    const state = new BarState(label, total, options, start, performance.now());
    this.live.push(state);
    this.clock ??= setInterval(() => this.draw(), CLOCK_MS).unref();
    this.draw();
    return {
      update: (value, info) => {
        state.set(value, info);
        if (performance.now() - this.lastDraw >= REDRAW_MS) this.draw();
      },
      stop: () => this.finish(state),
    };
  }

  log(line: string): void {
    this.above(line);
    this.draw();
  }

  stop(): void {
    for (const state of [...this.live]) this.finish(state);
  }

  /** The bar's last state becomes a line of the scrollback; the others stay live below it. */
  private finish(state: BarState): void {
    const index = this.live.indexOf(state);
    if (index < 0) return;
    this.live.splice(index, 1);
    this.above(state.render(performance.now(), this.width()));
    if (this.live.length > 0) {
      this.draw();
      return;
    }
    this.frame.done();
    if (this.clock) clearInterval(this.clock);
    this.clock = null;
  }

  /** Text that stays: the bars are erased, the text written as it is (long lines wrap as the terminal wraps them), the bars drawn again below it by the next draw. */
  private above(text: string): void {
    this.frame.clear();
    this.stream.write(`${text}\n`);
  }

  private draw(): void {
    if (this.live.length === 0) return;
    const now = performance.now();
    this.lastDraw = now;
    this.frame(this.live.map((state) => state.render(now, this.width())).join('\n'));
  }

  /** One column less than the terminal, so a full row never wraps. */
  private width(): number {
    return Math.max(20, (this.stream.columns ?? 80) - 1);
  }
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** `0:42`, `12:05`, `1:02:03`. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function formatInfo(info: BarInfo): string {
  return Object.entries(info)
    .filter((entry): entry is [string, string | number] => entry[1] !== null && entry[1] !== undefined && (typeof entry[1] !== 'number' || Number.isFinite(entry[1])))
    .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
    .join(' | ');
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? v.toExponential(2) : v.toFixed(abs < 1 ? 4 : 2);
}
