// mopo-export as a user meets it: the three commands, where the files go, and the
// one-line messages for mistakes (nothing written, nothing replaced).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, runCli, tempDir } from '../helpers/cli.js';
import { TINY_RUNS } from './tiny-checkpoints.js';

afterAll(removeTempDirs);

const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .*:\d+:\d+/);

describe('mopo-export', () => {
  const cwd = tempDir();
  let checkpoint: string;

  beforeAll(() => {
    const train = runCli('mopo', [...TINY_RUNS.td3!, 'hydra.run.dir=run'], { cwd });
    expect(train.status).toBe(0);
    checkpoint = path.join(cwd, 'run/checkpoints', readdirSync(path.join(cwd, 'run/checkpoints'))[0]!);
  });

  it('writes ONNX, TensorFlow.js and JSON next to the checkpoint of a run directory', () => {
    for (const [format, written] of [
      ['onnx', 'policy.onnx'],
      ['tfjs', 'policy-tfjs'],
      ['json', 'policy.json'],
    ] as const) {
      const result = runCli('mopo-export', ['checkpoint_path=run', `format=${format}`], { cwd });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Policy: td3 policy for HalfCheetah at step 300: a = tanh(actor(o))');
      expect(result.stdout).toContain(`Wrote ${path.join(checkpoint, written)} (${format}, `);
    }
    expect(readdirSync(path.join(checkpoint, 'policy-tfjs')).sort()).toEqual(['model.json', 'weights.bin']);
    const modelJson = JSON.parse(readFileSync(path.join(checkpoint, 'policy-tfjs/model.json'), 'utf8'));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
  });

  it('writes where out= says', () => {
    const result = runCli('mopo-export', [`checkpoint_path=${checkpoint}`, 'format=json', 'out=mine.json'], { cwd });
    expect(result.status).toBe(0);
    expect(JSON.parse(readFileSync(path.join(cwd, 'mine.json'), 'utf8')).metadata.step).toBe('300');
  });

  it('never replaces a file, and says so in one line', () => {
    const file = path.join(checkpoint, 'policy.onnx');
    if (!existsSync(file)) runCli('mopo-export', ['checkpoint_path=run', 'format=onnx'], { cwd });
    const before = statSync(file).mtimeMs;
    const result = runCli('mopo-export', ['checkpoint_path=run', 'format=onnx'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`mopo-export: ${file} already exists; remove it or choose another out=<path>.`);
    expect(statSync(file).mtimeMs).toBe(before);
  });

  it.each([
    [['checkpoint_path=run'], /Missing format=onnx\|tfjs\|json/],
    [['checkpoint_path=run', 'format=torch'], /format=torch is not one of onnx, tfjs, json/],
    [['format=onnx'], /Missing checkpoint_path/],
    [['checkpoint_path=nowhere', 'format=onnx'], /Checkpoint .*nowhere does not exist/],
    [['checkpoint_path=run', 'format=onnx', 'out=missing/dir/p.onnx'], /the directory .*missing\/dir does not exist/],
    [['checkpoint_path=run', 'format=onnx', 'episodes=3'], /mopo-export takes checkpoint_path=, format=, out=; 'episodes=3' is none of them/],
  ])('refuses %j with a clear message', (args, message) => {
    const result = runCli('mopo-export', args, { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('unexpected error');
    noStackTrace(result.stderr);
  });
});
