/**
 * Bundles the replay page's browser code (src/view/client) with three.js and uPlot
 * into one script, dist/view/replay-viewer.js, which mopo-view inlines into every page
 * so that the page works offline. Run by `npm run build` after tsc.
 */
import { build } from 'esbuild';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

await build({
  entryPoints: [path.join(root, 'src/view/client/viewer.ts')],
  outfile: path.join(root, 'dist/view/replay-viewer.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  loader: { '.css': 'text' },
  // three.js's and uPlot's licence comments travel with their code.
  legalComments: 'inline',
  logLevel: 'warning',
});
