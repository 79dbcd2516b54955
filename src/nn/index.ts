/**
 * Neural-network building blocks on TensorFlow.js (tfjs-core): backend choice, MLP
 * stacks with hand-written backward passes, Adam, and the plain-data state format.
 * Only training commands import this (it loads tfjs-core).
 */
export { initBackend, type BackendChoice, type BackendInfo, type BackendName } from './backend.js';
export { Adam, type AdamOptions } from './adam.js';
export { HostAdam } from './host-adam.js';
export { initialParams, type Initializer } from './init.js';
export { ParamLayout, type Activation, type LayerSlot, type MlpShape } from './layout.js';
export { MlpStack, type BackwardNeeds, type MlpGradients, type MlpTrace } from './mlp-stack.js';
export { requireTensor, type Json, type ModuleState, type StateTensor, type TensorRecord } from './state.js';
export { closeComputeThreads, startComputeThreads } from './threads/compute-threads.js';
export { WorkerThread } from './threads/worker-thread.js';
