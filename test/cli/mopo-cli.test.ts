import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, runCli, tempDir } from '../helpers/cli.js';
import { TINY_MOPO } from '../helpers/train-job.js';

/** A training job that finishes in about a second: the tiny MOPO setup cut to 20 steps. */
const QUICK = [...TINY_MOPO.filter((o) => !/^algo\.(total_steps|num_epochs)=/.test(o)), 'algo.total_steps=20', 'algo.num_epochs=1'];

afterAll(removeTempDirs);

const mopo = (args: string[], options?: Parameters<typeof runCli>[2]) => runCli('mopo', args, options);
const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);

describe('mopo --cfg', () => {
  it('prints the composed job config as YAML with overrides, inherited SAC keys and the experiment values', () => {
    const result = mopo(['--cfg', 'job', 'exp=halfcheetah-medium', 'algo.h=3']);
    expect(result.status).toBe(0);
    const config = yaml.load(result.stdout) as Record<string, any>;
    expect(config.algo.h).toBe(3);
    expect(config.algo).toMatchObject({ gamma: 0.99, tau: 0.005, actor: { hidden_size: 256 } });
    expect(config.env.id).toBe('halfcheetah-medium-v2');
    expect(config.algo.ensembles.penalty_coef).toBe(0.5);
    expect(config).not.toHaveProperty('hydra');
  });

  it('resolves interpolations with --resolve and selects a package with -p', () => {
    const unresolved = mopo(['--cfg', 'job', '-p', 'algo', 'exp=hopper-medium', 'algo.h=${.num_epochs}']);
    expect(unresolved.stdout).toContain('h: ${.num_epochs}');
    // A single value prints as itself, resolved, as Hydra prints it (OmegaConf.select).
    expect(mopo(['--cfg', 'job', '-p', 'exp_name', 'exp=hopper-medium']).stdout).toBe('hopper-medium\n');
    const resolved = mopo(['--cfg', 'job', '--resolve', '-p', 'algo', 'exp=hopper-medium']);
    expect(resolved.stdout.startsWith('# @package algo\n')).toBe(true);
    expect((yaml.load(resolved.stdout) as Record<string, unknown>).h).toBe(5);
    const hydra = mopo(['--cfg', 'hydra', 'exp=hopper-medium']);
    expect(Object.keys(yaml.load(hydra.stdout) as object)).toEqual(['hydra']);
    const all = yaml.load(mopo(['-c', 'all', 'exp=hopper-medium']).stdout) as Record<string, unknown>;
    expect(all).toHaveProperty('hydra');
    expect(all).toHaveProperty('algo');
  });
});

describe('mopo errors', () => {
  it('names the misspelled key and suggests the right one, exit 1, no stack trace', () => {
    const result = mopo(['exp=halfcheetah-medium', 'algo.hh=3']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Could not override 'algo.hh'. Did you mean 'algo.h'?");
    expect(result.stdout).toBe('');
    noStackTrace(result.stderr);
  });

  it('lists the available options for a misspelled group option', () => {
    const result = mopo(['exp=halfcheetah-medium', 'algo=mopoo']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Could not find 'algo/mopoo'");
    expect(result.stderr).toContain("Did you mean 'mopo'?");
    expect(result.stderr).toMatch(/Available options in 'algo':\n\tbear\n\tddpg\n\tddqn\n\tddqn_offline\n\tdiscrete_sac\n\tmopo\n\tmpo\n\tsac\n\tsac_online\n\ttd3/);
  });

  it('asks for the experiment when none is given', () => {
    const result = mopo([]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("You must specify 'exp', e.g, exp=<OPTION>");
    expect(result.stderr).toContain('\thalfcheetah-medium\n');
  });

  it('shows the stack trace only with MOPO_FULL_ERROR=1', () => {
    const result = mopo(['exp=halfcheetah-medium', 'algo.hh=3'], { env: { MOPO_FULL_ERROR: '1' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/ConfigError: Could not override 'algo.hh'/);
    expect(result.stderr).toMatch(/\n\s+at /);
  });

  it('rejects unknown flags and bad flag values with suggestions', () => {
    expect(mopo(['--cfgg', 'job']).stderr).toContain("Unknown flag '--cfgg'. Did you mean '--cfg'?");
    expect(mopo(['--cfg', 'jb', 'exp=hopper-medium']).stderr).toContain("--cfg takes one of job, hydra, all; got 'jb'. Did you mean 'job'?");
    expect(mopo(['--info', 'defualts']).stderr).toContain("Did you mean 'defaults'?");
  });
});

describe('mopo --help and --info', () => {
  it('lists config groups with their options, then the config, without an experiment', () => {
    const result = mopo(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('== Configuration groups ==');
    expect(result.stdout).toMatch(/^algo: +bear, ddpg, ddqn, ddqn_offline, discrete_sac, mopo, mpo, sac, sac_online, td3$/m);
    expect(result.stdout).toMatch(/^exp: +acrobot-online, cartpole-ddqn-offline, cartpole-mopo, cartpole-online, custom-mopo, custom-online, halfcheetah-medium, halfcheetah-medium-bear, .*walker2d-random, walker2d-random-bear$/m);
    expect(result.stdout).toContain('== Config ==');
    expect(result.stdout).toContain('(not yet chosen: exp=<option>)');
    expect(result.stdout).toContain('penalty_coef: 1');
  });

  it('prints the defaults list as a table', () => {
    const result = mopo(['--info', 'defaults', 'exp=hopper-medium']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Defaults List');
    expect(result.stdout).toMatch(/\| algo\/sac +\| algo +\| False +\| algo\/mopo +\|/);
    expect(result.stdout).toMatch(/\| exp\/hopper-medium +\| +\| True +\| config +\|/);
    expect(result.stdout).toMatch(/\| hydra\/launcher\/basic +\| hydra.launcher +\| False +\| hydra\/config +\|/);
  });

  it('uses another primary config and extra config dirs (-cn, -cp, -cd)', () => {
    const dir = tempDir('mopo-cfgdir-');
    mkdirSync(path.join(dir, 'exp'));
    writeFileSync(path.join(dir, 'exp', 'mine.yaml'), '# @package _global_\nenv:\n  id: hopper-expert-v2\nseed: 7\n');
    writeFileSync(path.join(dir, 'tiny.yaml'), 'answer: 42\n');
    const extra = yaml.load(mopo(['--cfg', 'job', '-cd', dir, 'exp=mine']).stdout) as Record<string, any>;
    expect(extra.env.id).toBe('hopper-expert-v2');
    expect(extra.seed).toBe(7);
    expect(yaml.load(mopo(['--cfg', 'job', '-cp', dir, '-cn', 'tiny']).stdout)).toEqual({ answer: 42 });
  });
});

describe('mopo Hydra conformance (flags)', () => {
  it('--info defaults-tree nests each entry under the config whose defaults list holds it', () => {
    const result = mopo(['--info', 'defaults-tree', 'exp=hopper-medium']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      ['<root>:', '  hydra/config:', '    hydra/launcher: basic', '    hydra/sweeper: basic', '    _self_', '  config:', '    _self_', '    env: d4rl', '    algo: mopo:', '      algo/sac', '      _self_'].join('\n'),
    );
    expect(result.stdout).toContain('    eval: default\n    exp: hopper-medium:\n      _self_');
  });

  it('--info searchpath needs no experiment', () => {
    const result = mopo(['--info', 'searchpath']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/\| hydra +\| file:\/\/.*configs \(hydra\/ only\) +\|\n\| main +\| file:\/\/.*configs +\|/);
  });

  it('-cd to a directory that does not exist is an error, before anything runs', () => {
    const cwd = tempDir();
    const result = mopo(['-cd', 'no-such-dir', 'exp=quickstart'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`mopo: Additional config directory '${path.join(cwd, 'no-such-dir')}' not found\n`);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--package _global_ prints the whole config; a missing package is an error', () => {
    const whole = mopo(['--cfg', 'job', '-p', '_global_', 'exp=hopper-medium']);
    expect(whole.status).toBe(0);
    expect(Object.keys(yaml.load(whole.stdout) as object)).toContain('algo');
    const missing = mopo(['--cfg', 'job', '-p', 'algoo', 'exp=hopper-medium']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("package 'algoo' not found in config. Did you mean 'algo'?");
  });

  it('--resolve shows a value that depends on ??? as ???, as Hydra prints it', () => {
    const dir = tempDir('mopo-cfgdir-');
    writeFileSync(path.join(dir, 'config.yaml'), 'x: ${y}\ny: ???\nz: foo-${y}\nw: 1\n');
    const result = mopo(['--cfg', 'job', '--resolve', '-cp', dir]);
    expect(result.status).toBe(0);
    expect(yaml.load(result.stdout)).toEqual({ x: '???', y: '???', z: '???', w: 1 });
  });

  it('hydra/launcher=<option> is a config group of Hydra’s own node', () => {
    const result = mopo(['--cfg', 'hydra', '-p', 'hydra.launcher', 'exp=hopper-medium', 'hydra/launcher=basic']);
    expect(result.stdout).toBe('# @package hydra.launcher\n_target_: hydra._internal.core_plugins.basic_launcher.BasicLauncher\n');
  });
});

describe('mopo shell completion (-sc)', () => {
  /** A `mopo` on PATH, as an installed package provides. */
  const onPath = () => {
    const bin = tempDir('mopo-bin-');
    writeFileSync(path.join(bin, 'mopo'), `#!/bin/sh\nexec "${process.execPath}" "${path.resolve(import.meta.dirname, '../../bin/mopo.js')}" "$@"\n`);
    chmodSync(path.join(bin, 'mopo'), 0o755);
    return `${bin}:${process.env.PATH}`;
  };

  /** Installs the completion in one real bash, completes each line as if TAB were pressed, and returns each COMPREPLY. */
  const bashComplete = (lines: string[], PATH: string): string[][] => {
    const complete = (line: string) =>
      [
        `COMP_LINE=${JSON.stringify(line)}`,
        'COMP_POINT=${#COMP_LINE}',
        'read -ra COMP_WORDS <<< "$COMP_LINE"',
        line.endsWith(' ') ? 'COMP_WORDS+=("")' : ':',
        'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))',
        'COMPREPLY=()',
        'mopo_bash_completion',
        'printf "%s\\n" "${COMPREPLY[@]}" "--"',
      ].join('\n');
    const script = ['eval "$(mopo -sc install=bash)"', ...lines.map(complete)].join('\n');
    const result = spawnSync('bash', ['-c', script], { env: { ...process.env, PATH }, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    return result.stdout.split('--\n').slice(0, lines.length).map((block) => block.split('\n').filter((l) => l !== ''));
  };

  it('completes groups, options, keys and flags in bash', () => {
    const lines = ['mopo alg', 'mopo algo=sa', 'mopo hydra/l', 'mopo exp=quickstart algo.ensembles.pen', 'mopo exp=quickstart algo.h=', 'mopo --cf', 'mopo --cfg '];
    expect(bashComplete(lines, onPath())).toEqual([
      // The group (algo=) and, from the config composed so far, its keys (algo.).
      ['algo.', 'algo='],
      ['algo=sac', 'algo=sac_online'],
      ['hydra/launcher='],
      ['algo.ensembles.penalty=', 'algo.ensembles.penalty_coef='],
      ['algo.h=5'],
      ['--cfg'],
      ['all', 'hydra', 'job'],
    ]);
  });

  // Debian's fish and zsh; .ci/run installs them so these run in CI.
  const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

  it.skipIf(!has('fish'))('completes in fish through `mopo -sc install=fish | source`', () => {
    const script = 'mopo -sc install=fish | source; complete -C "mopo algo=sa"; complete -C "mopo exp=quickstart algo.ensembles.pen"';
    const result = spawnSync('fish', ['-c', script], { env: { ...process.env, PATH: onPath() }, encoding: 'utf8', timeout: 60_000 });
    expect(result.stdout.split('\n').filter((l) => l !== '')).toEqual(['algo=sac', 'algo=sac_online', 'algo.ensembles.penalty=', 'algo.ensembles.penalty_coef=']);
  });

  it.skipIf(!has('zsh'))('registers in zsh through bashcompinit', () => {
    const script = 'autoload -Uz compinit bashcompinit && compinit -u && bashcompinit && eval "$(mopo -sc install=bash)" && complete -p mopo';
    const result = spawnSync('zsh', ['-c', script], { env: { ...process.env, PATH: onPath() }, encoding: 'utf8', timeout: 60_000 });
    expect(result.stdout).toContain('complete -o nospace -o default -F mopo_bash_completion mopo');
  });

  it('prints Hydra’s install forms and refuses an unknown shell or subcommand', () => {
    expect(mopo(['-sc', 'install=fish']).stdout).toContain("complete -c mopo -f -a '(mopo_fish_completion)'");
    expect(mopo(['--shell-completion', 'uninstall=bash']).stdout).toContain('complete -r mopo');
    const query = mopo(['-sc', 'query=fish'], { env: { COMP_LINE: 'mopo exp=hopper-me' } });
    expect(query.stdout.split('\n').filter((l) => l)).toEqual(['exp=hopper-medium', 'exp=hopper-medium-bear', 'exp=hopper-medium-expert', 'exp=hopper-medium-expert-bear', 'exp=hopper-medium-replay', 'exp=hopper-medium-replay-bear']);
    expect(mopo(['-sc', 'install=tcsh']).stderr).toContain("No completion for the shell 'tcsh'");
    expect(mopo(['-sc']).stderr).toContain('--shell-completion expects one subcommand');
  });
});

describe('mopo runs', () => {
  it('writes a run directory with the .hydra record and the resolved config; runs in the same second never share one', () => {
    const cwd = tempDir();
    const args = [...QUICK, 'seed=5', 'hydra.run.dir=outputs/fixed'];
    const first = mopo(args, { cwd });
    const second = mopo(args, { cwd });
    expect(first.status).toBe(0);
    expect(second.status).toBe(0);
    expect(first.stdout).toContain(`Output directory: ${path.join(cwd, 'outputs/fixed')}\n`);
    expect(second.stdout).toContain(`Output directory: ${path.join(cwd, 'outputs/fixed_1')}\n`);
    const runDir = path.join(cwd, 'outputs/fixed');
    expect(yaml.load(readFileSync(path.join(runDir, '.hydra/overrides.yaml'), 'utf8'))).toEqual([...QUICK, 'seed=5']);
    expect(readFileSync(path.join(runDir, '.hydra/config.yaml'), 'utf8')).toContain('exp_name: ${hydra:runtime.choices.exp}');
    const hydra = yaml.load(readFileSync(path.join(runDir, '.hydra/hydra.yaml'), 'utf8')) as Record<string, any>;
    expect(hydra.hydra.runtime.output_dir).toBe(runDir);
    expect(hydra.hydra.overrides.hydra).toEqual(['hydra.run.dir=outputs/fixed']);
    const resolved = yaml.load(readFileSync(path.join(runDir, 'resolved_config.yaml'), 'utf8')) as Record<string, any>;
    expect(resolved).toMatchObject({ exp_name: 'quickstart', seed: 5 });
    // The two runs trained into their own directories.
    expect(existsSync(path.join(runDir, 'checkpoints/step-0000000020/manifest.json'))).toBe(true);
    expect(existsSync(path.join(cwd, 'outputs/fixed_1/checkpoints/step-0000000020/manifest.json'))).toBe(true);
  });

  it('defaults to outputs/<date>/<time>', () => {
    const cwd = tempDir();
    const result = mopo(QUICK, { cwd });
    expect(result.stdout).toMatch(/Output directory: .*outputs\/\d{4}-\d\d-\d\d\/\d\d-\d\d-\d\d(_\d+)?\n/);
  });
});

describe('mopo -m', () => {
  it('prints the jobs as JSON for CI matrices and runs nothing', () => {
    const cwd = tempDir();
    const result = mopo(['-m', 'exp=hopper-medium', 'algo.h=1,5', 'seed=0,1', '--jobs-json'], { cwd });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      { num: 0, overrides: ['exp=hopper-medium', 'algo.h=1', 'seed=0'] },
      { num: 1, overrides: ['exp=hopper-medium', 'algo.h=1', 'seed=1'] },
      { num: 2, overrides: ['exp=hopper-medium', 'algo.h=5', 'seed=0'] },
      { num: 3, overrides: ['exp=hopper-medium', 'algo.h=5', 'seed=1'] },
    ]);
    expect(existsSync(path.join(cwd, 'multirun'))).toBe(false);
  });

  it('launches every job into multirun/<date>/<time>/<n> and summarises them', () => {
    const cwd = tempDir();
    const result = mopo(['-m', ...QUICK, 'algo.h=1,2', 'seed=0,1'], { cwd });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Launching 4 jobs');
    // Each job's overrides are written back as Hydra's sweeper writes them (floats in
    // Python's form), one entry per key: the sweep's algo.h takes QUICK's algo.h place.
    const job3 = QUICK.map((o) => o.replace('[2.5e-5,5e-5,1e-4]', '[2.5e-05,5e-05,0.0001]')).map((o) => (o.startsWith('algo.h=') ? 'algo.h=2' : o));
    expect(result.stdout).toContain(`\t#3 : ${job3.join(' ')} seed=1`);
    expect(result.stdout).toMatch(/Sweep summary: 4 jobs, 4 ran, 0 failed/);
    const [day] = readdirSync(path.join(cwd, 'multirun'));
    const [time] = readdirSync(path.join(cwd, 'multirun', day!));
    const sweepDir = path.join(cwd, 'multirun', day!, time!);
    expect(readdirSync(sweepDir).sort()).toEqual(['0', '1', '2', '3', 'multirun.yaml']);
    expect(yaml.load(readFileSync(path.join(sweepDir, '3/.hydra/overrides.yaml'), 'utf8'))).toEqual([...job3, 'seed=1']);
    expect((yaml.load(readFileSync(path.join(sweepDir, '3/resolved_config.yaml'), 'utf8')) as Record<string, any>).algo.h).toBe(2);
    expect(existsSync(path.join(sweepDir, '3/metrics.csv'))).toBe(true);
  });

  it('checks every job before launching any, and reports all config errors', () => {
    const cwd = tempDir();
    const result = mopo(['-m', 'exp=hopper-medium', 'algo.hh=1,2'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('2 of 2 jobs have config errors; no job was launched.');
    expect(result.stderr).toContain('#1 (exp=hopper-medium algo.hh=2)');
    expect(existsSync(path.join(cwd, 'multirun'))).toBe(false);
  });
});
