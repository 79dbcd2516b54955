/**
 * gym's models were compiled by MuJoCo before 2.1.1, which gave every capsule the
 * mass and inertia of a cylinder: the capsule's middle section extended by half the
 * radius at each end. D4RL's data was collected with those bodies (HalfCheetah's
 * torso weighs 6.36 kg there, 6.25 kg with exact capsules), so the models here keep
 * them: each capsule collides but weighs nothing, and a non-colliding cylinder of the
 * old size, in the same place, carries the mass.
 */
type Vec3 = readonly [number, number, number];

interface CapsuleBase {
  name: string;
  radius: number;
  /** Extra MJCF attributes for the colliding capsule, e.g. `friction="0.9"`. */
  attributes?: string;
}

/** A capsule given by its two end points (the form gym's Hopper and Walker2d use). */
export interface SegmentCapsule extends CapsuleBase {
  from: Vec3;
  to: Vec3;
}

/** A capsule given by its centre, orientation and half-length (gym's HalfCheetah form). */
export interface PlacedCapsule extends CapsuleBase {
  pos: Vec3;
  /** Axis x, y, z and angle in the model's angle unit. */
  axisangle: readonly [number, number, number, number];
  halfLength: number;
}

export function legacyCapsule(capsule: SegmentCapsule | PlacedCapsule): string {
  const extra = capsule.attributes ? ` ${capsule.attributes}` : '';
  const collider = `<geom name="${capsule.name}" type="capsule"${placement(capsule, 0)} density="0"${extra}/>`;
  const mass = `<geom name="${capsule.name}_mass" type="cylinder"${placement(capsule, capsule.radius / 2)} contype="0" conaffinity="0" group="3"/>`;
  return `${collider}\n${mass}`;
}

/** Position attributes and size, the length grown by `extension` at each end. */
function placement(capsule: SegmentCapsule | PlacedCapsule, extension: number): string {
  if ('from' in capsule) {
    const { from, to, radius } = capsule;
    const axis = to.map((v, i) => v - from[i]!);
    const length = Math.hypot(...axis);
    const grow = axis.map((v) => (v / length) * extension);
    const start = from.map((v, i) => v - grow[i]!);
    const end = to.map((v, i) => v + grow[i]!);
    return ` fromto="${numbers([...start, ...end])}" size="${numbers([radius])}"`;
  }
  const { pos, axisangle, radius, halfLength } = capsule;
  return ` pos="${numbers(pos)}" axisangle="${numbers(axisangle)}" size="${numbers([radius, halfLength + extension])}"`;
}

function numbers(values: readonly number[]): string {
  // Round away float noise such as 0.30000000000000004 so the XML reads as written.
  return values.map((v) => String(Number(v.toPrecision(12)))).join(' ');
}
