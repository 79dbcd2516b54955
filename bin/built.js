/**
 * The commands run the TypeScript build in dist/. A copy without it (a fresh clone, or
 * an install from a git URL, which npm does not build) gets a message, not a stack trace.
 */
import { existsSync } from 'node:fs';

export async function builtCommand(name) {
  const entry = new URL(`../dist/src/cli/${name}.js`, import.meta.url);
  if (!existsSync(entry)) {
    console.error(
      `${name}: this copy of mopo is not built (dist/ is missing). In a clone, run \`npm run build\` (or \`npm test\`); ` +
        'to install from a repository, clone it and install the tarball that `npm pack` makes (README, "Install").',
    );
    process.exit(1);
  }
  return (await import(entry.href)).main;
}
