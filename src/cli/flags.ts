/**
 * Hydra's command-line flags, parsed with yargs' parser. Everything that does not
 * start with `-` is an override. Multi-letter short flags (-cn, -cp, -cd) need
 * short-option grouping off, and overrides must reach us untouched (no number
 * parsing, no dot-notation), so the parser is configured accordingly. yargs' full
 * command builder is not used: `--help` is Hydra-style and start-up must stay fast.
 */
import { Parser } from 'yargs/helpers';
import { ConfigError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';

export const INFO_TOPICS = ['all', 'config', 'defaults', 'defaults-tree', 'plugins', 'searchpath'] as const;
export type InfoTopic = (typeof INFO_TOPICS)[number];
export type CfgKind = 'job' | 'hydra' | 'all';

export interface CliFlags {
  help: boolean;
  hydraHelp: boolean;
  shellCompletion: boolean;
  version: boolean;
  cfg: CfgKind | null;
  resolve: boolean;
  package: string | null;
  info: InfoTopic | null;
  multirun: boolean;
  failFast: boolean;
  noWait: boolean;
  jobsJson: boolean;
  configName: string;
  configPath: string | null;
  configDir: string | null;
  overrides: string[];
}

export interface FlagSpec {
  name: string;
  aliases: string[];
  type: 'boolean' | 'string';
}

export const FLAG_SPECS: FlagSpec[] = [
  { name: 'help', aliases: ['h'], type: 'boolean' },
  { name: 'hydra-help', aliases: [], type: 'boolean' },
  { name: 'shell-completion', aliases: ['sc'], type: 'boolean' },
  { name: 'version', aliases: [], type: 'boolean' },
  { name: 'cfg', aliases: ['c'], type: 'string' },
  { name: 'resolve', aliases: [], type: 'boolean' },
  { name: 'package', aliases: ['p'], type: 'string' },
  { name: 'info', aliases: ['i'], type: 'string' },
  { name: 'multirun', aliases: ['m'], type: 'boolean' },
  { name: 'run', aliases: ['r'], type: 'boolean' },
  { name: 'fail-fast', aliases: [], type: 'boolean' },
  { name: 'no-wait', aliases: [], type: 'boolean' },
  { name: 'jobs-json', aliases: [], type: 'boolean' },
  { name: 'config-name', aliases: ['cn'], type: 'string' },
  { name: 'config-path', aliases: ['cp'], type: 'string' },
  { name: 'config-dir', aliases: ['cd'], type: 'string' },
];

export function parseFlags(argv: string[], extraFlags: FlagSpec[] = []): CliFlags & { extra: Record<string, unknown> } {
  const specs = [...FLAG_SPECS, ...extraFlags];
  const parsed = Parser(argv, {
    alias: Object.fromEntries(specs.map((f) => [f.name, f.aliases])),
    boolean: specs.filter((f) => f.type === 'boolean').map((f) => f.name),
    string: specs.filter((f) => f.type === 'string').map((f) => f.name),
    configuration: {
      'short-option-groups': false,
      'camel-case-expansion': false,
      'dot-notation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'boolean-negation': false,
      'duplicate-arguments-array': false,
      'unknown-options-as-args': true,
      'halt-at-non-option': false,
    },
  });

  const overrides: string[] = [];
  for (const arg of parsed._.map(String)) {
    if (arg.startsWith('-') && !/^-\d/.test(arg)) {
      const name = arg.replace(/^-+/, '').split('=')[0]!;
      const known = specs.flatMap((f) => [f.name, ...f.aliases]);
      throw new ConfigError(`Unknown flag '${arg}'.${didYouMean(name, known).replace(/'([^']+)'/g, (_, n: string) => `'${n.length <= 2 ? '-' : '--'}${n}'`)} See mopo --help.`);
    }
    overrides.push(arg);
  }

  const str = (name: string): string | null => (typeof parsed[name] === 'string' ? (parsed[name] as string) : null);
  let info: InfoTopic | null = null;
  const infoValue = str('info');
  if (infoValue !== null) {
    if (infoValue === '') info = 'all';
    else if ((INFO_TOPICS as readonly string[]).includes(infoValue)) info = infoValue as InfoTopic;
    else if (infoValue.includes('=') || infoValue.startsWith('~')) {
      // `--info exp=x`: the parser took an override as the flag's value.
      info = 'all';
      overrides.unshift(infoValue);
    } else {
      throw new ConfigError(`Unknown --info topic '${infoValue}'.${didYouMean(infoValue, INFO_TOPICS)} Topics: ${INFO_TOPICS.join(', ')}`);
    }
  }

  const cfgValue = str('cfg');
  let cfg: CfgKind | null = null;
  if (cfgValue !== null) {
    if (cfgValue !== 'job' && cfgValue !== 'hydra' && cfgValue !== 'all') {
      throw new ConfigError(`--cfg takes one of job, hydra, all; got '${cfgValue}'.${didYouMean(cfgValue, ['job', 'hydra', 'all'])}`);
    }
    cfg = cfgValue;
  }

  for (const name of ['package', 'config-name', 'config-path', 'config-dir']) {
    if (str(name) === '') throw new ConfigError(`--${name} needs a value.`);
  }

  return {
    help: parsed.help === true,
    hydraHelp: parsed['hydra-help'] === true,
    shellCompletion: parsed['shell-completion'] === true,
    version: parsed.version === true,
    cfg,
    resolve: parsed.resolve === true,
    package: str('package'),
    info,
    multirun: parsed.multirun === true,
    failFast: parsed['fail-fast'] === true,
    noWait: parsed['no-wait'] === true,
    jobsJson: parsed['jobs-json'] === true,
    configName: str('config-name') ?? 'config',
    configPath: str('config-path'),
    configDir: str('config-dir'),
    overrides,
    extra: Object.fromEntries(extraFlags.map((f) => [f.name, parsed[f.name]])),
  };
}
