import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendError } from '../../src/errors.js';
import { initBackend } from '../../src/nn/backend.js';

function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

const nativeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');

describe('initBackend', () => {
  it('runs the wasm backend when asked and says so', async () => {
    const info = await initBackend('wasm');
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.description).toMatch(/^wasm \(@tensorflow\/tfjs-backend-wasm/);
  });

  it('runs the plain cpu backend when asked', async () => {
    const info = await initBackend('cpu');
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await initBackend('wasm');
  });

  it.skipIf(nativeInstalled)('auto falls back to wasm and lists why native TensorFlow was skipped', async () => {
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(info.skipped).toEqual(['@tensorflow/tfjs-node-gpu: not installed', '@tensorflow/tfjs-node: not installed']);
  });

  it.skipIf(nativeInstalled)('an explicit tensorflow choice that cannot load is a BackendError that says what to do', async () => {
    const error = await initBackend('tensorflow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toMatch(/tfjs-node-gpu: not installed/);
    expect((error as Error).message).toMatch(/backend=wasm/);
  });

  it('rejects an unknown choice', async () => {
    await expect(initBackend('gpu' as never)).rejects.toBeInstanceOf(BackendError);
  });
});
