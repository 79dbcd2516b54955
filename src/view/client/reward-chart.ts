/**
 * The reward curve under the scene, drawn by uPlot: the reward of every step (left
 * axis) and the return so far (right axis), with a line at the step on screen.
 * A click on the chart asks to jump to that step.
 */
import uPlot from 'uplot';
import type { ReplayEpisode } from '../replay-types.js';

const HEIGHT = 190;

export class RewardChart {
  private readonly plot: uPlot;
  private step = 0;

  constructor(container: HTMLElement, onSeek: (step: number) => void) {
    const options: uPlot.Options = {
      width: Math.max(200, container.clientWidth),
      height: HEIGHT,
      scales: { x: { time: false }, return: {} },
      series: [
        { label: 'step' },
        { label: 'reward', stroke: '#d9822b', width: 1.2, scale: 'y', value: (_u, v) => (v == null ? '–' : v.toFixed(3)) },
        { label: 'return so far', stroke: '#3f7cac', width: 1.5, scale: 'return', value: (_u, v) => (v == null ? '–' : v.toFixed(1)) },
      ],
      axes: [{ label: 'step' }, { label: 'reward', scale: 'y' }, { label: 'return', scale: 'return', side: 1, grid: { show: false } }],
      cursor: { drag: { x: false, y: false } },
      hooks: { draw: [(u) => this.drawMarker(u)] },
    };
    this.plot = new uPlot(options, [[], [], []], container);
    this.plot.over.addEventListener('click', (event) => {
      const left = event.clientX - this.plot.over.getBoundingClientRect().left;
      onSeek(Math.round(this.plot.posToVal(left, 'x')));
    });
  }

  show(episode: ReplayEpisode): void {
    const steps = episode.rewards.map((_, i) => i + 1);
    let total = 0;
    const returns = episode.rewards.map((r) => (total += r));
    this.step = 0;
    this.plot.setData([steps, episode.rewards, returns]);
  }

  /** Moves the marker to `step` (0 before the first action). */
  mark(step: number): void {
    if (step === this.step) return;
    this.step = step;
    this.plot.redraw(false, false);
  }

  resize(width: number): void {
    this.plot.setSize({ width: Math.max(200, width), height: HEIGHT });
  }

  private drawMarker(u: uPlot): void {
    const x = u.valToPos(this.step, 'x', true);
    const { ctx, bbox } = u;
    ctx.save();
    ctx.strokeStyle = '#222';
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
    ctx.restore();
  }
}
