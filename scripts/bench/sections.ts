import { bearSection } from './bear.js';
import { envsSection } from './envs.js';
import { gpuSection } from './gpu.js';
import { jobSection } from './job.js';
import { nnSection } from './nn.js';
import { startupSection } from './startup.js';

/** The bench sections, in the order they run. Each returns a flat record of figures. */
export interface BenchSection {
  name: string;
  run(options: BenchOptions): Promise<Record<string, number | string | boolean | null>>;
}

export interface BenchOptions {
  /** Another PyTorch timing script to run side by side (`--reference=<path>`), e.g. the one the project is judged against. */
  reference: string | null;
  /** Size of the whole-job benchmark relative to its default (`--job-scale=<f>`). */
  jobScale: number;
  /** Whole job with one thread a side only (`--job-one-thread`). */
  jobOneThread: boolean;
}

export const sections: BenchSection[] = [startupSection, envsSection, nnSection, gpuSection, bearSection, jobSection];
