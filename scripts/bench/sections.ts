import { envsSection } from './envs.js';
import { nnSection } from './nn.js';
import { startupSection } from './startup.js';

/** The bench sections, in the order they run. Each returns a flat record of figures. */
export interface BenchSection {
  name: string;
  run(): Promise<Record<string, number | string | boolean | null>>;
}

export const sections: BenchSection[] = [startupSection, envsSection, nnSection];
