/**
 * The 3-D scene of a replay with three.js: one object per MuJoCo body holding that
 * body's geoms at their places, posed each frame from the recorded body poses; a
 * checkered floor that follows the tracked body so it never ends; a camera that
 * tracks the first body along x (as MuJoCo's tracking camera does) and that the user
 * can orbit, pan and zoom. MuJoCo is z-up; so is this scene.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { ReplayData, ReplayGeom } from '../replay-types.js';

const BODY_COLOURS = ['#d9822b', '#3f7cac', '#5c9e5a', '#b5485d', '#8e6cb0', '#c9a227', '#4a9c9c', '#a0522d'];
/** Metres covered by one repeat of the floor texture (2 × 2 checks). */
const FLOOR_PERIOD = 1;
const FLOOR_HALF_SIZE = 60;
/** Floats per body and frame: position, then quaternion (w, x, y, z). */
export const POSE_SIZE = 7;

export class ReplayScene {
  readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera: THREE.PerspectiveCamera;
  private readonly controls: OrbitControls;
  private readonly bodies: THREE.Object3D[];
  private readonly floors: THREE.Object3D[] = [];
  private readonly light: THREE.DirectionalLight;
  /** x of the tracked body at the last pose, which the camera follows. */
  private trackedX: number | null = null;
  /** Something changed since the last render: a pose, the camera, the size. */
  private dirty = true;

  constructor(
    private readonly container: HTMLElement,
    data: ReplayData,
  ) {
    this.renderer = new THREE.WebGLRenderer({ antialias: true });
    this.renderer.setPixelRatio(window.devicePixelRatio);
    this.renderer.shadowMap.enabled = true;
    container.appendChild(this.renderer.domElement);

    this.scene.background = new THREE.Color('#dfe8f0');
    this.scene.fog = new THREE.Fog('#dfe8f0', 12, 45);
    this.scene.add(new THREE.HemisphereLight('#ffffff', '#8d8d8d', 1.6));
    this.light = new THREE.DirectionalLight('#ffffff', 2.2);
    this.light.castShadow = true;
    this.light.shadow.mapSize.set(1024, 1024);
    Object.assign(this.light.shadow.camera, { left: -4, right: 4, top: 4, bottom: -4, near: 0.1, far: 30 });
    this.scene.add(this.light, this.light.target);

    this.camera = new THREE.PerspectiveCamera(40, 1, 0.05, 200);
    this.camera.up.set(0, 0, 1);
    this.camera.position.set(0.3, -3.4, 1.1);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.target.set(0, 0, 0.5);
    this.controls.update();
    this.controls.addEventListener('change', () => {
      this.dirty = true;
    });

    this.bodies = data.bodies.map((name) => {
      const body = new THREE.Group();
      body.name = name;
      this.scene.add(body);
      return body;
    });
    for (const geom of data.geoms) {
      const object = geom.shape === 'plane' ? this.floor(geom) : this.mesh(geom);
      object.position.set(...geom.pos);
      object.quaternion.set(geom.quat[1], geom.quat[2], geom.quat[3], geom.quat[0]);
      (geom.body >= 0 ? this.bodies[geom.body]! : this.scene).add(object);
    }
    this.resize();
  }

  /** Puts every body where it was in `frame` of `poses` ([frames × bodies × 7]) and moves the camera along. */
  showPose(poses: Float32Array, frame: number): void {
    const base = frame * this.bodies.length * POSE_SIZE;
    this.bodies.forEach((body, b) => {
      const o = base + b * POSE_SIZE;
      body.position.set(poses[o]!, poses[o + 1]!, poses[o + 2]!);
      body.quaternion.set(poses[o + 4]!, poses[o + 5]!, poses[o + 6]!, poses[o + 3]!);
    });
    const x = poses[base] ?? 0;
    const dx = this.trackedX === null ? x - this.controls.target.x : x - this.trackedX;
    this.trackedX = x;
    this.camera.position.x += dx;
    this.controls.target.x += dx;
    this.controls.update();
    for (const floor of this.floors) floor.position.x = Math.round(x / FLOOR_PERIOD) * FLOOR_PERIOD;
    this.light.position.set(x + 2, -3, 6);
    this.light.target.position.set(x, 0, 0);
    this.dirty = true;
  }

  /** Draws the scene if anything changed since the last time: a paused replay costs nothing. */
  render(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.renderer.render(this.scene, this.camera);
  }

  resize(): void {
    const width = this.container.clientWidth;
    const height = this.container.clientHeight;
    this.renderer.setSize(width, height);
    this.camera.aspect = width / Math.max(1, height);
    this.camera.updateProjectionMatrix();
    this.dirty = true;
  }

  private mesh(geom: ReplayGeom): THREE.Mesh {
    const [a, b, c] = geom.size;
    let geometry: THREE.BufferGeometry;
    switch (geom.shape) {
      case 'sphere':
        geometry = new THREE.SphereGeometry(a, 24, 16);
        break;
      case 'ellipsoid':
        geometry = new THREE.SphereGeometry(1, 24, 16).scale(a, b, c);
        break;
      // MuJoCo's capsules and cylinders lie along their local z; three.js builds them along y.
      case 'capsule':
        geometry = new THREE.CapsuleGeometry(a, 2 * b, 8, 16).rotateX(Math.PI / 2);
        break;
      case 'cylinder':
        geometry = new THREE.CylinderGeometry(a, a, 2 * b, 24).rotateX(Math.PI / 2);
        break;
      case 'box':
        geometry = new THREE.BoxGeometry(2 * a, 2 * b, 2 * c);
        break;
      case 'plane':
        throw new Error('a plane is drawn as the floor');
    }
    const colour = geom.rgba ? new THREE.Color(geom.rgba[0], geom.rgba[1], geom.rgba[2]) : new THREE.Color(BODY_COLOURS[Math.max(0, geom.body) % BODY_COLOURS.length]!);
    const material = new THREE.MeshStandardMaterial({ color: colour, roughness: 0.55, metalness: 0.05, transparent: (geom.rgba?.[3] ?? 1) < 1, opacity: geom.rgba?.[3] ?? 1 });
    const mesh = new THREE.Mesh(geometry, material);
    mesh.name = geom.name;
    mesh.castShadow = true;
    return mesh;
  }

  /** A plane drawn large and checkered; it is moved in whole texture periods to stay under the tracked body. */
  private floor(geom: ReplayGeom): THREE.Object3D {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 64;
    const ctx = canvas.getContext('2d')!;
    const [light, dark] = geom.rgba ? ['#ffffff', '#cccccc'] : ['#c9d3dc', '#9fb0c0'];
    ctx.fillStyle = light;
    ctx.fillRect(0, 0, 64, 64);
    ctx.fillStyle = dark;
    ctx.fillRect(0, 0, 32, 32);
    ctx.fillRect(32, 32, 32, 32);
    const texture = new THREE.CanvasTexture(canvas);
    texture.wrapS = texture.wrapT = THREE.RepeatWrapping;
    texture.repeat.set((2 * FLOOR_HALF_SIZE) / FLOOR_PERIOD, (2 * FLOOR_HALF_SIZE) / FLOOR_PERIOD);
    texture.anisotropy = this.renderer.capabilities.getMaxAnisotropy();
    texture.colorSpace = THREE.SRGBColorSpace;
    const material = new THREE.MeshStandardMaterial({ map: texture, roughness: 0.9 });
    if (geom.rgba) material.color.setRGB(geom.rgba[0], geom.rgba[1], geom.rgba[2]);
    const floor = new THREE.Mesh(new THREE.PlaneGeometry(2 * FLOOR_HALF_SIZE, 2 * FLOOR_HALF_SIZE), material);
    floor.name = geom.name;
    floor.receiveShadow = true;
    this.floors.push(floor);
    return floor;
  }
}
