/**
 * One self-contained HTML page: the replay data as JSON and the bundled viewer script
 * (three.js, uPlot and src/view/client, built by `npm run build`) inline, so the page
 * needs no network and no other file.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths.js';
import type { ReplayData } from './replay-types.js';

export function viewerScriptPath(): string {
  return path.join(packageRoot(), 'dist/view/replay-viewer.js');
}

export function renderPage(data: ReplayData): string {
  const scriptFile = viewerScriptPath();
  if (!existsSync(scriptFile)) throw new Error(`The viewer's script ${scriptFile} is missing; build mopo first (npm run build).`);
  const script = readFileSync(scriptFile, 'utf8');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mopo-view · ${escapeHtml(data.envId)}</title>
<style>
  html, body { margin: 0; height: 100%; font: 14px system-ui, sans-serif; color: #222; background: #f4f6f8; }
  #app { display: flex; flex-direction: column; height: 100%; }
  .controls { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; padding: 8px 12px; background: #fff; border-bottom: 1px solid #d8dee4; }
  .controls select, .controls button { font: inherit; padding: 3px 8px; }
  .controls button { min-width: 5em; }
  #step { flex: 1; min-width: 160px; }
  #status { font-variant-numeric: tabular-nums; min-width: 21em; }
  #scene { flex: 1; min-height: 260px; position: relative; overflow: hidden; }
  #scene canvas { display: block; }
  #rewards { background: #fff; border-top: 1px solid #d8dee4; padding: 4px 8px 0; }
</style>
</head>
<body>
<div id="app"></div>
<script id="mopo-replay" type="application/json">${inlineJson(data)}</script>
<script>${inlineScript(script)}</script>
</body>
</html>
`;
}

/** JSON inside <script> must not contain "</script" or "<!--": escaping every "<" is enough and stays valid JSON. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The only sequence that would end a classic <script> early. */
function inlineScript(code: string): string {
  return code.replace(/<\/script/gi, '<\\/script');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
