/**
 * The replay page: reads the replay data embedded in the page, builds the controls
 * (episode, play/pause, speed, a step slider), the 3-D scene and the reward curve,
 * and plays the chosen episode in simulated time × speed, looping at its end.
 * Space toggles play; a click on the reward curve jumps to that step.
 */
import uPlotCss from 'uplot/dist/uPlot.min.css';
import type { ReplayData, ReplayEpisode } from '../replay-types.js';
import { RewardChart } from './reward-chart.js';
import { POSE_SIZE, ReplayScene } from './scene.js';

const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 4];

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text = ''): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

function decodePoses(base64: string): Float32Array {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer);
}

function formatReturn(value: number): string {
  return value.toFixed(1);
}

function start(): void {
  const source = document.getElementById('mopo-replay');
  if (!source?.textContent) throw new Error('mopo-view: the page carries no replay data');
  const data = JSON.parse(source.textContent) as ReplayData;
  const style = element('style');
  style.textContent = uPlotCss;
  document.head.appendChild(style);

  const app = document.getElementById('app')!;
  const bar = element('div', { class: 'controls' });
  const episodeSelect = element('select', { id: 'episode', title: 'Episode' });
  data.episodes.forEach((e, i) => episodeSelect.appendChild(element('option', { value: String(i) }, `${e.label} · return ${formatReturn(e.return)} · ${e.length} steps`)));
  const playButton = element('button', { id: 'play', type: 'button', title: 'Play or pause (space)' }, 'Pause');
  const speedSelect = element('select', { id: 'speed', title: 'Playback speed' });
  for (const speed of SPEEDS) speedSelect.appendChild(element('option', { value: String(speed) }, `${speed}×`));
  speedSelect.value = '1';
  const slider = element('input', { id: 'step', type: 'range', min: '0', max: '0', value: '0', title: 'Step' });
  const status = element('span', { id: 'status' });
  bar.append(element('strong', {}, `mopo-view · ${data.envId}`), episodeSelect, playButton, speedSelect, slider, status);
  const sceneBox = element('div', { id: 'scene' });
  const chartBox = element('div', { id: 'rewards' });
  app.append(bar, sceneBox, chartBox);

  const scene = new ReplayScene(sceneBox, data);
  let episode: ReplayEpisode = data.episodes[0]!;
  let poses = decodePoses(episode.poses);
  let cumulative: number[] = [];
  let time = 0;
  let playing = true;
  let lastNow: number | null = null;
  let shownFrame = -1;

  const chart = new RewardChart(chartBox, (step) => seek(step));

  const frameCount = () => poses.length / (data.bodies.length * POSE_SIZE);
  const currentFrame = () => Math.min(frameCount() - 1, Math.floor(time / data.dt + 1e-9));

  function choose(index: number): void {
    episode = data.episodes[index]!;
    poses = decodePoses(episode.poses);
    let total = 0;
    cumulative = [0, ...episode.rewards.map((r) => (total += r))];
    slider.max = String(frameCount() - 1);
    chart.show(episode);
    time = 0;
    shownFrame = -1;
  }

  function seek(step: number): void {
    time = Math.max(0, Math.min(frameCount() - 1, step)) * data.dt;
    setPlaying(false);
  }

  function setPlaying(next: boolean): void {
    playing = next;
    playButton.textContent = playing ? 'Pause' : 'Play';
    lastNow = null;
  }

  function show(frame: number): void {
    scene.showPose(poses, frame);
    slider.value = String(frame);
    chart.mark(frame);
    status.textContent = `step ${frame} / ${frameCount() - 1} · ${(frame * data.dt).toFixed(2)} s · return ${formatReturn(cumulative[frame]!)}`;
    shownFrame = frame;
  }

  episodeSelect.addEventListener('change', () => choose(Number(episodeSelect.value)));
  playButton.addEventListener('click', () => setPlaying(!playing));
  speedSelect.addEventListener('change', () => {
    lastNow = null;
  });
  slider.addEventListener('input', () => seek(Number(slider.value)));
  document.addEventListener('keydown', (event) => {
    if (event.code === 'Space' && !(event.target instanceof HTMLSelectElement)) {
      event.preventDefault();
      setPlaying(!playing);
    }
  });
  // The scene takes the height the bar and the chart leave; follow it whenever the layout changes.
  new ResizeObserver(() => {
    scene.resize();
    chart.resize(chartBox.clientWidth);
  }).observe(sceneBox);

  choose(0);
  scene.renderer.setAnimationLoop((now: number) => {
    if (playing) {
      if (lastNow !== null) time += ((now - lastNow) / 1000) * Number(speedSelect.value);
      lastNow = now;
      if (currentFrame() >= frameCount() - 1 && time > (frameCount() - 1) * data.dt + 0.5) time = 0;
    }
    const frame = currentFrame();
    if (frame !== shownFrame) show(frame);
    scene.render();
  });
}

start();
