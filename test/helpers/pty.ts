/**
 * A command run in a real pseudo-terminal, read back as a person sees it. util-linux's
 * `script` (in Debian's essential bsdutils package, so on every Debian machine) gives the
 * command a pty; xterm.js's headless terminal renders what it wrote (cursor movements,
 * erased lines, wrapping), and the test reads the rows of the scrollback and screen.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import xterm from '@xterm/headless';

// MOPO_PTY_ROOT: another checkout's build, to see how an older version looked.
const root = process.env.MOPO_PTY_ROOT ?? path.resolve(import.meta.dirname, '../..');

export interface PtyRun {
  status: number | null;
  /** Every line, scrollback first: rows the terminal wrapped are joined again, trailing blanks trimmed, trailing empty lines dropped. */
  rows: string[];
  /** What the program wrote, escape codes included. */
  raw: string;
}

export interface PtyOptions {
  cwd: string;
  cols?: number;
  rows?: number;
  /** Called with all output so far; `send` types into the terminal (`'\x03'` is Ctrl-C). */
  onOutput?: (output: string, send: (keys: string) => void) => void;
  timeoutMs?: number;
}

/** Fails with the install line when `script` is missing, rather than skipping the test. */
export function requireScript(): void {
  const found = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error('These tests run commands in a pseudo-terminal with util-linux `script`, which is not installed: apt-get install -y bsdutils');
  }
}

/** Runs `bin/<name>.js args` in a pty of `cols`×`rows`. */
export async function runInPty(name: 'mopo' | 'mopo-collect', args: string[], options: PtyOptions): Promise<PtyRun> {
  requireScript();
  const cols = options.cols ?? 100;
  const height = options.rows ?? 30;
  const command = [process.execPath, path.join(root, 'bin', `${name}.js`), ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['--quiet', '--return', '--flush', '--command', `stty cols ${cols} rows ${height}; exec ${command}`, '/dev/null'], {
    cwd: options.cwd,
    env: { ...process.env, MOPO_FULL_ERROR: '', TERM: 'xterm-256color' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  const send = (keys: string) => child.stdin.write(keys);
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    raw += chunk;
    options.onOutput?.(raw, send);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  child.stdin.destroy();
  return { status, rows: await render(raw, cols, height), raw };
}

async function render(raw: string, cols: number, rows: number): Promise<string[]> {
  const terminal = new xterm.Terminal({ cols, rows, scrollback: 10_000, allowProposedApi: true });
  await new Promise<void>((resolve) => terminal.write(raw, resolve));
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < buffer.length; i++) {
    line += buffer.getLine(i)?.translateToString(false) ?? '';
    if (buffer.getLine(i + 1)?.isWrapped) continue;
    lines.push(line.trimEnd());
    line = '';
  }
  terminal.dispose();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
