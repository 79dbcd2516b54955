/**
 * Learning-rate schedules over a run, by the share of training done (0 at the start,
 * 1 at the end). `cosine` is PyTorch's CosineAnnealingLR down to 0, stepped once per
 * epoch with T_max = the number of epochs, as OfflineRL-Kit anneals SAC's actor:
 * lr = base · (1 + cos(π · epochs done / epochs)) / 2.
 */
export const LR_SCHEDULES = ['constant', 'cosine'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

export function scheduledLr(base: number, schedule: LrSchedule, progress: number): number {
  if (schedule === 'constant') return base;
  const done = Math.min(Math.max(progress, 0), 1);
  return (base * (1 + Math.cos(Math.PI * done))) / 2;
}
