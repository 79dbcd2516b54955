/**
 * MJCF for HalfCheetah, following the facts of gym's `half_cheetah.xml`: a planar
 * cheetah of 14 kg whose torso slides in x and z and pitches about y, with six hinged
 * leg joints (springs, dampers and limits per joint) driven by motors with gears
 * 120, 90, 60, 120, 60, 30. Euler integration at 0.01 s. Only the floor collides with
 * the body (conaffinity 0 on the body geoms).
 *
 * Contacts need nothing beyond gym's values to behave as under MuJoCo 2.1 (mujoco-py
 * 2.1, D4RL): no geom has a margin or gap, so a pair's margin is 0 whether the engine
 * takes the larger of the two (MuJoCo < 3.5) or their sum (since); every geom, the
 * floor included, has condim 3, friction 0.4 0.1 0.1, solref 0.02 1 and solimp 0 0.8
 * 0.01 from the default class, so the pair rules (max, mix) have nothing to choose.
 */
import { legacyCapsule } from './legacy-capsule.js';

const RADIUS = 0.046;

function limb(name: string, pos: [number, number, number], angle: number, halfLength: number): string {
  return legacyCapsule({ name, pos, axisangle: [0, 1, 0, angle], radius: RADIUS, halfLength });
}

export const HALF_CHEETAH_XML = `
<mujoco model="half_cheetah">
  <compiler angle="radian" inertiafromgeom="true" settotalmass="14" autolimits="true"/>
  <option timestep="0.01" gravity="0 0 -9.81"/>
  <default>
    <joint armature="0.1" damping="0.01" stiffness="8" solreflimit="0.02 1" solimplimit="0 0.8 0.03"/>
    <geom contype="1" conaffinity="0" condim="3" friction="0.4 0.1 0.1" solref="0.02 1" solimp="0 0.8 0.01"/>
    <motor ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="40 40 40" conaffinity="1"/>
    <body name="torso" pos="0 0 0.7">
      <joint name="rootx" type="slide" axis="1 0 0" armature="0" damping="0" stiffness="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" armature="0" damping="0" stiffness="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" armature="0" damping="0" stiffness="0"/>
      ${legacyCapsule({ name: 'torso', from: [-0.5, 0, 0], to: [0.5, 0, 0], radius: RADIUS })}
      ${limb('head', [0.6, 0, 0.1], 0.87, 0.15)}
      <body name="bthigh" pos="-0.5 0 0">
        <joint name="bthigh" type="hinge" axis="0 1 0" range="-0.52 1.05" stiffness="240" damping="6"/>
        ${limb('bthigh', [0.1, 0, -0.13], -3.8, 0.145)}
        <body name="bshin" pos="0.16 0 -0.25">
          <joint name="bshin" type="hinge" axis="0 1 0" range="-0.785 0.785" stiffness="180" damping="4.5"/>
          ${limb('bshin', [-0.14, 0, -0.07], -2.03, 0.15)}
          <body name="bfoot" pos="-0.28 0 -0.14">
            <joint name="bfoot" type="hinge" axis="0 1 0" range="-0.4 0.785" stiffness="120" damping="3"/>
            ${limb('bfoot', [0.03, 0, -0.097], -0.27, 0.094)}
          </body>
        </body>
      </body>
      <body name="fthigh" pos="0.5 0 0">
        <joint name="fthigh" type="hinge" axis="0 1 0" range="-1 0.7" stiffness="180" damping="4.5"/>
        ${limb('fthigh', [-0.07, 0, -0.12], 0.52, 0.133)}
        <body name="fshin" pos="-0.14 0 -0.24">
          <joint name="fshin" type="hinge" axis="0 1 0" range="-1.2 0.87" stiffness="120" damping="3"/>
          ${limb('fshin', [0.065, 0, -0.09], -0.6, 0.106)}
          <body name="ffoot" pos="0.13 0 -0.18">
            <joint name="ffoot" type="hinge" axis="0 1 0" range="-0.5 0.5" stiffness="60" damping="1.5"/>
            ${limb('ffoot', [0.045, 0, -0.07], -0.6, 0.07)}
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="bthigh" joint="bthigh" gear="120"/>
    <motor name="bshin" joint="bshin" gear="90"/>
    <motor name="bfoot" joint="bfoot" gear="60"/>
    <motor name="fthigh" joint="fthigh" gear="120"/>
    <motor name="fshin" joint="fshin" gear="60"/>
    <motor name="ffoot" joint="ffoot" gear="30"/>
  </actuator>
</mujoco>
`;
