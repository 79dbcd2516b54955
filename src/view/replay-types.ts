/**
 * The data a replay page carries, shared by the Node side that computes it
 * (replay-data.ts) and the browser side that draws it (client/viewer.ts); no imports,
 * so both programs can read it.
 */
export type GeomShape = 'plane' | 'sphere' | 'capsule' | 'ellipsoid' | 'cylinder' | 'box';

export interface ReplayGeom {
  name: string;
  /** Index into `bodies`, or −1 for a geom fixed in the world (the floor). */
  body: number;
  shape: GeomShape;
  /** MuJoCo's geom size: radius, half-length, half-sizes … as the shape reads them. */
  size: [number, number, number];
  /** Place on its body (or in the world): position and quaternion (w, x, y, z). */
  pos: [number, number, number];
  quat: [number, number, number, number];
  /** The model's colour, or null where it left MuJoCo's default grey (the page picks one). */
  rgba: [number, number, number, number] | null;
}

export interface ReplayEpisode {
  label: string;
  seed: number;
  length: number;
  return: number;
  terminated: boolean;
  rewards: number[];
  /** base64 of float32 [(length + 1) × bodies × 7]. */
  poses: string;
}

export interface ReplayData {
  envId: string;
  /** Seconds of simulated time per step. */
  dt: number;
  bodies: string[];
  geoms: ReplayGeom[];
  episodes: ReplayEpisode[];
}
