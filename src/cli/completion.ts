/**
 * Shell completion as Hydra offers it: `mopo -sc install=bash` prints a script to
 * `eval` (zsh uses the same one through bashcompinit), `mopo -sc install=fish | source`
 * for fish, `uninstall=…` undoes it, and the script calls `mopo -sc query=<shell>`
 * with the line in COMP_LINE. Candidates: config groups (`algo=`, `hydra/`), their
 * options (`algo=sac`), config keys (`algo.h=`, and the current value after `=`),
 * files after `key=./`, and, which Hydra lacks, mopo's flags and their values.
 * Composition failures (an unset experiment) only drop key candidates, as in Hydra.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { JobConfig, createRepository } from '../config/job-config.js';
import { pythonStr } from '../config/python-text.js';
import type { ConfigRepository } from '../config/repository.js';
import { getPath, isDict, isMissing, type ConfigValue } from '../config/value.js';
import { ConfigError } from '../errors.js';
import { FLAG_SPECS, INFO_TOPICS, parseFlags } from './flags.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

/** `-sc install=bash`, `-sc uninstall=fish`, `-sc query=bash`: exactly one. */
export function shellCompletion(program: string, overrides: string[], env: NodeJS.ProcessEnv = process.env): string {
  const commands = overrides.map((o) => /^(install|uninstall|query)=(.*)$/.exec(o)).filter((m) => m !== null);
  if (commands.length !== 1 || commands.length !== overrides.length) {
    throw new ConfigError(`--shell-completion expects one subcommand: install=SHELL, uninstall=SHELL or query=SHELL (SHELL: ${SHELLS.join(', ')}), e.g. eval "$(${program} -sc install=bash)"`);
  }
  const [, command, shellName] = commands[0]!;
  if (!(SHELLS as readonly string[]).includes(shellName!)) {
    throw new ConfigError(`No completion for the shell '${shellName}'; available:\n${SHELLS.map((s) => `\t${s}`).join('\n')}`);
  }
  const shell = shellName as Shell;
  if (command === 'install') return shell === 'fish' ? fishScript(program) : bashScript(program);
  if (command === 'uninstall') {
    return shell === 'fish' ? `complete -e -c ${program}\nfunction ${fnName(program)}_fish_completion\nend` : `complete -r ${program} 2> /dev/null\nunset -f ${fnName(program)}_bash_completion`;
  }
  const line = env.COMP_LINE;
  if (line === undefined) throw new ConfigError('query= reads the command line from the COMP_LINE environment variable, which is not set.');
  const point = env.COMP_POINT !== undefined && /^\d+$/.test(env.COMP_POINT) ? Number(env.COMP_POINT) : line.length;
  const candidates = complete(line.slice(0, point));
  return candidates.join(shell === 'fish' ? '\n' : ' ');
}

function fnName(program: string): string {
  return program.replace(/[^A-Za-z0-9_]/g, '_');
}

function bashScript(program: string): string {
  const fn = `${fnName(program)}_bash_completion`;
  return `${fn}()
{
    local word=\${COMP_WORDS[COMP_CWORD]}
    local choices
    choices=$(COMP_POINT=$COMP_POINT COMP_LINE=$COMP_LINE ${program} -sc query=bash 2> /dev/null)
    COMPREPLY=($(compgen -o nospace -W "$choices" -- "$word"))
}
COMP_WORDBREAKS=\${COMP_WORDBREAKS//=}
COMP_WORDBREAKS=\${COMP_WORDBREAKS//:}
complete -o nospace -o default -F ${fn} ${program}`;
}

function fishScript(program: string): string {
  const fn = `${fnName(program)}_fish_completion`;
  return `function ${fn}
    set -lx COMP_LINE (commandline -cp)
    ${program} -sc query=fish 2> /dev/null
end
complete -c ${program} -f -a '(${fn})'`;
}

/** Candidates for the last word of `line` (the program name first). */
export function complete(line: string): string[] {
  const args = line.replace(/^\s*\S+/, '').trimStart();
  const newWord = args === '' || /\s$/.test(args);
  const words = args.split(/\s+/).filter((w) => w !== '');
  const word = newWord ? '' : words.pop()!;
  const previous = words[words.length - 1];

  const flagValues = flagValueCandidates(previous, word);
  if (flagValues !== null) return flagValues;
  if (word.startsWith('-')) return flagNames().filter((f) => f.startsWith(word)).sort();

  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(words.filter((w) => w !== '-sc' && w !== '--shell-completion'));
  } catch {
    return [];
  }
  const file = fileCandidates(word);
  if (file !== null) return file;

  let repo: ConfigRepository;
  try {
    repo = createRepository({ configPath: flags.configPath ?? undefined, configDir: flags.configDir ?? undefined });
  } catch {
    return [];
  }
  const { matches, exact } = groupCandidates(repo, word);
  let keys: string[] = [];
  if (!exact) {
    try {
      const job = JobConfig.compose(repo, { configName: flags.configName, overrides: flags.overrides, mode: flags.multirun ? 'MULTIRUN' : 'RUN', skipMissing: true });
      keys = keyCandidates(job.composed.config, word);
    } catch {
      // A config that does not compose yet offers no keys, only groups.
    }
  }
  return [...new Set([...matches, ...keys])].sort();
}

function flagNames(): string[] {
  return FLAG_SPECS.flatMap((f) => [`--${f.name}`, ...f.aliases.map((a) => `-${a}`)]);
}

/** After `--cfg`, `--info`, `-cp`/`-cd`: their values. */
function flagValueCandidates(previous: string | undefined, word: string): string[] | null {
  const spec = FLAG_SPECS.find((f) => previous === `--${f.name}` || f.aliases.some((a) => previous === `-${a}`));
  if (spec === undefined || spec.type !== 'string') return null;
  if (spec.name === 'cfg') return ['all', 'hydra', 'job'].filter((v) => v.startsWith(word));
  if (spec.name === 'info') return INFO_TOPICS.filter((v) => v.startsWith(word)).sort();
  if (spec.name === 'config-path' || spec.name === 'config-dir') return files(word).filter((f) => f.endsWith('/'));
  return null;
}

/** `key=./pa…`: files, as Hydra completes paths after `=` that start with `.`, `/` or `./`. */
function fileCandidates(word: string): string[] | null {
  const eq = word.lastIndexOf('=');
  if (eq === -1) return null;
  const value = word.slice(eq + 1);
  if (value === '' || !/^(\.|\/|\\)/.test(value)) return null;
  return files(value).map((f) => word.slice(0, eq + 1) + f);
}

function files(prefix: string): string[] {
  const isDir = prefix !== '' && existsSync(prefix) && statSync(prefix).isDirectory() && /[/\\]$/.test(prefix);
  const dir = isDir ? prefix : path.dirname(prefix || '.');
  const base = isDir ? '' : path.basename(prefix);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.startsWith(base))
    .map((e) => {
      const full = isDir ? `${dir}${e}` : dir === '.' && !prefix.startsWith('./') ? e : path.join(dir, e);
      const isDirectory = statSync(path.join(dir, e)).isDirectory();
      return isDirectory ? `${full}/` : full;
    });
}

/** Groups (`algo=`, `hydra/`) and, after `group=`, its options; `+`/`~` prefixes kept. */
function groupCandidates(repo: ConfigRepository, typed: string): { matches: string[]; exact: boolean } {
  const prefix = typed.startsWith('+') || typed.startsWith('~') ? typed[0]! : '';
  const isDeletion = prefix === '~';
  const word = typed.slice(prefix.length);
  const eq = word.lastIndexOf('=');
  const matches: string[] = [];
  let exact = false;
  if (eq !== -1) {
    const group = word.slice(0, eq);
    if (!repo.isGroup(group) || group === '') return { matches, exact };
    for (const option of repo.options(group)) {
      const name = `${group}=${option}`;
      if (name.startsWith(word)) matches.push(prefix + name);
      exact = true;
    }
    return { matches, exact };
  }
  const slash = word.lastIndexOf('/');
  const parent = slash === -1 ? '' : word.slice(0, slash);
  for (const child of repo.childGroups(parent)) {
    const name = parent === '' ? child : `${parent}/${child}`;
    if (!name.startsWith(word)) continue;
    const hasOptions = repo.options(name).length > 0;
    const hasGroups = repo.childGroups(name).length > 0;
    if (!hasGroups && hasOptions && !isDeletion) matches.push(`${prefix}${name}=`);
    else if (hasGroups && !hasOptions) matches.push(`${prefix}${name}/`);
    else matches.push(prefix + name);
  }
  return { matches, exact };
}

/** Config keys: `algo.` → `algo.h=`, `algo.actor.`; `algo.h=` → the current value. */
export function keyCandidates(config: ConfigValue, word: string): string[] {
  const node = (key: string): ConfigValue | undefined => (key === '' ? config : getPath(config, key));
  if (word.endsWith('.') || word.endsWith('=')) {
    const value = node(word.slice(0, -1));
    if (value === undefined || value === null) return [];
    if (isDict(value) || Array.isArray(value)) return keyCandidates(value, '').map((m) => word + m);
    if (isMissing(value)) return [];
    return [word + (typeof value === 'boolean' ? String(value) : pythonStr(value))];
  }
  const dot = word.lastIndexOf('.');
  if (dot !== -1) {
    const base = node(word.slice(0, dot));
    if (base === undefined || base === null || (!isDict(base) && !Array.isArray(base))) return [];
    return keyCandidates(base, word.slice(dot + 1)).map((m) => `${word.slice(0, dot)}.${m}`);
  }
  const entries: [string, ConfigValue][] = isDict(config) ? Object.entries(config) : Array.isArray(config) ? config.map((v, i) => [String(i), v]) : [];
  return entries.filter(([k]) => k.startsWith(word)).map(([k, v]) => (isDict(v) || Array.isArray(v) ? `${k}.` : `${k}=`));
}
