/**
 * `npm run bench [-- --json] [-- --only=name,name] [-- --reference=<torch_reference.py>]`
 *
 * Each file in scripts/bench/ is one section: it measures its own figures and returns
 * them as a flat record. Sections run one after another in this process (never in
 * parallel: they would compete for the same two cores), and the results merge into
 * one object, so ratios between figures come from a single run.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { sections, type BenchOptions } from './bench/sections.js';

const USAGE = `Usage: npm run bench [-- options]

  --json                  print one JSON object instead of a table
  --only=name[,name]      run only these sections (${sections.map((s) => s.name).join(', ')})
  --reference=<path>      also run this PyTorch timing script (argv: <threads> --json) with 1 thread
                          and one per core, and report our figures against its fastest
  --job-scale=<f>         size of the whole-job benchmark (section job) relative to its default
                          (100 000 transitions, 5 000 SAC steps, rollouts of 10 000 rows); default 1
  --job-one-thread        run the whole job with one thread a side only (not again with one per
                          core): on a machine busy with other work more threads only add waiting
  --help                  this text`;

interface Options extends BenchOptions {
  json: boolean;
  only: Set<string> | null;
}

function parseArgs(argv: string[]): Options {
  const known = ['--json', '--job-one-thread', '--help', '-h'];
  const unknown = argv.filter((a) => !known.includes(a) && !a.startsWith('--only=') && !a.startsWith('--reference=') && !a.startsWith('--job-scale='));
  if (unknown.length > 0) fail(`Unknown bench option(s): ${unknown.join(' ')}`);
  const only = argv.find((a) => a.startsWith('--only='));
  const reference = argv.find((a) => a.startsWith('--reference='))?.slice('--reference='.length);
  if (reference !== undefined && !existsSync(reference)) fail(`--reference: no such file: ${reference}`);
  const scale = argv.find((a) => a.startsWith('--job-scale='))?.slice('--job-scale='.length);
  const jobScale = scale === undefined ? 1 : Number(scale);
  if (!(jobScale > 0 && jobScale <= 10)) fail(`--job-scale: expected a number in (0, 10], got ${scale}`);
  return {
    json: argv.includes('--json'),
    only: only ? new Set(only.slice('--only='.length).split(',').filter(Boolean)) : null,
    reference: reference === undefined ? null : resolve(reference),
    jobScale,
    jobOneThread: argv.includes('--job-one-thread'),
  };
}

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(1);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const options = parseArgs(argv);
  const unknown = options.only ? [...options.only].filter((n) => !sections.some((s) => s.name === n)) : [];
  if (unknown.length > 0) {
    fail(`Unknown bench section(s): ${unknown.join(', ')}`);
  }
  const results: Record<string, number | string | boolean | null> = {};
  for (const section of sections) {
    if (options.only && !options.only.has(section.name)) continue;
    if (!options.json) console.error(`[bench] ${section.name} …`);
    Object.assign(results, await section.run(options));
  }
  if (options.json) {
    console.log(JSON.stringify(results));
  } else {
    const width = Math.max(...Object.keys(results).map((k) => k.length));
    for (const [key, value] of Object.entries(results)) console.log(`${key.padEnd(width)}  ${value}`);
  }
}

await main();
