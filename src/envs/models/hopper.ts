/**
 * MJCF for Hopper, following the facts of gym's `hopper.xml`: a one-legged planar
 * robot (torso, thigh, leg, foot capsules) whose torso slides in x and z and pitches
 * about y; three hinges driven by motors with gear 200. RK4 at 0.002 s. Every geom
 * collides with every other non-adjacent one (conaffinity 1), not only with the floor.
 *
 * Contacts reproduce MuJoCo 2.1 (mujoco-py 2.1, D4RL), attribute by attribute:
 * - margin 0.0005 on every geom, the floor included (gym: 0.001). A contact's margin
 *   was the larger of its two geoms' margins until MuJoCo 3.5, and is their sum since,
 *   so gym's 0.001 would make every contact start 2 mm out instead of 1 mm and push the
 *   resting hopper up. Half of gym's value on every geom gives each pair 0.001 again;
 *   since the body geoms also collide with each other, no other split works for all
 *   pairs (floor-body and body-body).
 * - gap 0 (the default in both): MuJoCo 3.9 changed what gap means, but with gap 0 a
 *   contact still has force exactly when its distance is below the margin.
 * - condim 1 on the body and 3 on the floor, friction 0.9 (torso, thigh, leg) and 2.0
 *   (foot) against the floor's default 1, solref 0.02 1 and solimp 0.8 0.8 0.01 on all:
 *   as in gym. A pair still takes the larger condim and the larger friction, and mixes
 *   solref/solimp (equal on every geom here), as MuJoCo 2.1 did.
 *
 * gym writes this model in global coordinates, which current MuJoCo no longer reads;
 * here every position is relative to its parent body, which yields the same geometry.
 * `rootz` has `ref` 1.25 so that qpos[1] is the torso height.
 */
import { legacyCapsule } from './legacy-capsule.js';

export const HOPPER_XML = `
<mujoco model="hopper">
  <compiler angle="degree" inertiafromgeom="true" autolimits="true"/>
  <option integrator="RK4" timestep="0.002"/>
  <default>
    <joint armature="1" damping="1"/>
    <geom contype="1" conaffinity="1" condim="1" margin="0.0005" solref="0.02 1" solimp="0.8 0.8 0.01"/>
    <motor ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="20 20 0.125" condim="3"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" armature="0" damping="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" ref="1.25" armature="0" damping="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" armature="0" damping="0"/>
      ${legacyCapsule({ name: 'torso_geom', from: [0, 0, 0.2], to: [0, 0, -0.2], radius: 0.05, attributes: 'friction="0.9"' })}
      <body name="thigh" pos="0 0 -0.2">
        <joint name="thigh_joint" type="hinge" axis="0 -1 0" range="-150 0"/>
        ${legacyCapsule({ name: 'thigh_geom', from: [0, 0, 0], to: [0, 0, -0.45], radius: 0.05, attributes: 'friction="0.9"' })}
        <body name="leg" pos="0 0 -0.45">
          <joint name="leg_joint" type="hinge" axis="0 -1 0" range="-150 0"/>
          ${legacyCapsule({ name: 'leg_geom', from: [0, 0, 0], to: [0, 0, -0.5], radius: 0.04, attributes: 'friction="0.9"' })}
          <body name="foot" pos="0 0 -0.5">
            <joint name="foot_joint" type="hinge" axis="0 -1 0" range="-45 45"/>
            ${legacyCapsule({ name: 'foot_geom', from: [-0.13, 0, 0], to: [0.26, 0, 0], radius: 0.06, attributes: 'friction="2.0"' })}
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="thigh_joint" joint="thigh_joint" gear="200"/>
    <motor name="leg_joint" joint="leg_joint" gear="200"/>
    <motor name="foot_joint" joint="foot_joint" gear="200"/>
  </actuator>
</mujoco>
`;
