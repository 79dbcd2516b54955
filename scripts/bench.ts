/**
 * `npm run bench [-- --json] [-- --only=name,name]`
 *
 * Each file in scripts/bench/ is one section: it measures its own figures and returns
 * them as a flat record. Sections run one after another in this process (never in
 * parallel: they would compete for the same two cores), and the results merge into
 * one object, so ratios between figures come from a single run.
 */
import { sections } from './bench/sections.js';

interface Options {
  json: boolean;
  only: Set<string> | null;
}

function parseArgs(argv: string[]): Options {
  const only = argv.find((a) => a.startsWith('--only='));
  return {
    json: argv.includes('--json'),
    only: only ? new Set(only.slice('--only='.length).split(',').filter(Boolean)) : null,
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const unknown = options.only ? [...options.only].filter((n) => !sections.some((s) => s.name === n)) : [];
  if (unknown.length > 0) {
    console.error(`Unknown bench section(s): ${unknown.join(', ')}. Available: ${sections.map((s) => s.name).join(', ')}`);
    process.exit(1);
  }
  const results: Record<string, number | string | boolean | null> = {};
  for (const section of sections) {
    if (options.only && !options.only.has(section.name)) continue;
    if (!options.json) console.error(`[bench] ${section.name} …`);
    Object.assign(results, await section.run());
  }
  if (options.json) {
    console.log(JSON.stringify(results));
  } else {
    const width = Math.max(...Object.keys(results).map((k) => k.length));
    for (const [key, value] of Object.entries(results)) console.log(`${key.padEnd(width)}  ${value}`);
  }
}

await main();
