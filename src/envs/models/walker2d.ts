/**
 * MJCF for Walker2d, following the facts of gym's `walker2d.xml`: a planar biped
 * (torso plus two thigh-leg-foot chains) whose torso slides in x and z and pitches
 * about y; six hinges driven by motors with gear 100. RK4 at 0.002 s. Only the floor
 * collides with the body. As in gym, the left foot grips harder (friction 1.9 against
 * 0.9 on the right).
 *
 * Contacts need nothing beyond gym's values to behave as under MuJoCo 2.1 (mujoco-py
 * 2.1, D4RL): no geom has a margin or gap, so a pair's margin is 0 whether the engine
 * takes the larger of the two (MuJoCo < 3.5) or their sum (since); every geom has
 * condim 3 and the default solref/solimp, and a pair still takes the larger friction,
 * as it did then.
 *
 * gym writes this model in global coordinates, which current MuJoCo no longer reads;
 * here every position is relative to its parent body, which yields the same geometry.
 * `rootz` has `ref` 1.25 so that qpos[1] is the torso height.
 */
import { legacyCapsule } from './legacy-capsule.js';

function legXml(side: '' | '_left', footFriction: number): string {
  return `
      <body name="thigh${side}" pos="0 0 -0.2">
        <joint name="thigh${side}_joint" type="hinge" axis="0 -1 0" range="-150 0"/>
        ${legacyCapsule({ name: `thigh${side}_geom`, from: [0, 0, 0], to: [0, 0, -0.45], radius: 0.05, attributes: 'friction="0.9"' })}
        <body name="leg${side}" pos="0 0 -0.45">
          <joint name="leg${side}_joint" type="hinge" axis="0 -1 0" range="-150 0"/>
          ${legacyCapsule({ name: `leg${side}_geom`, from: [0, 0, 0], to: [0, 0, -0.5], radius: 0.04, attributes: 'friction="0.9"' })}
          <body name="foot${side}" pos="0 0 -0.5">
            <joint name="foot${side}_joint" type="hinge" axis="0 -1 0" range="-45 45"/>
            ${legacyCapsule({ name: `foot${side}_geom`, from: [0, 0, 0], to: [0.2, 0, 0], radius: 0.06, attributes: `friction="${footFriction}"` })}
          </body>
        </body>
      </body>`;
}

export const WALKER2D_XML = `
<mujoco model="walker2d">
  <compiler angle="degree" inertiafromgeom="true" autolimits="true"/>
  <option integrator="RK4" timestep="0.002"/>
  <default>
    <joint armature="0.01" damping="0.1"/>
    <geom contype="1" conaffinity="0" condim="3" density="1000" friction="0.7 0.1 0.1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="40 40 40" conaffinity="1"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" armature="0" damping="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" ref="1.25" armature="0" damping="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" armature="0" damping="0"/>
      ${legacyCapsule({ name: 'torso_geom', from: [0, 0, 0.2], to: [0, 0, -0.2], radius: 0.05, attributes: 'friction="0.9"' })}${legXml('', 0.9)}${legXml('_left', 1.9)}
    </body>
  </worldbody>
  <actuator>
    <motor name="thigh_joint" joint="thigh_joint" gear="100" ctrlrange="-1 1"/>
    <motor name="leg_joint" joint="leg_joint" gear="100" ctrlrange="-1 1"/>
    <motor name="foot_joint" joint="foot_joint" gear="100" ctrlrange="-1 1"/>
    <motor name="thigh_left_joint" joint="thigh_left_joint" gear="100" ctrlrange="-1 1"/>
    <motor name="leg_left_joint" joint="leg_left_joint" gear="100" ctrlrange="-1 1"/>
    <motor name="foot_left_joint" joint="foot_left_joint" gear="100" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;
