/** Mean and spread over seeds. */

export interface SeedStat {
  mean: number | null;
  /** Population standard deviation (numpy's default `np.std`, ddof 0); null below 2 values. */
  std: number | null;
  /** How many runs had a value. */
  n: number;
}

export function seedStat(values: (number | null)[]): SeedStat {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return { mean: null, std: null, n: 0 };
  const mean = present.reduce((sum, v) => sum + v, 0) / present.length;
  if (present.length < 2) return { mean, std: null, n: present.length };
  const variance = present.reduce((sum, v) => sum + (v - mean) ** 2, 0) / present.length;
  return { mean, std: Math.sqrt(variance), n: present.length };
}
