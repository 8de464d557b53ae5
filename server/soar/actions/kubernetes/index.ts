/** The Kubernetes response actions of the SOAR engine, by name. */
import { cordonNode } from './cordon-node.js';
import { deletePod } from './delete-pod.js';
import { isolatePod } from './isolate-pod.js';
import { labelObject } from './label-object.js';
import { revokeBinding } from './revoke-binding.js';
import { scaleToZero } from './scale-to-zero.js';

export * from './types.js';
export * from './cordon-node.js';
export * from './delete-pod.js';
export * from './isolate-pod.js';
export * from './label-object.js';
export * from './revoke-binding.js';
export * from './scale-to-zero.js';

export const kubernetesActions = {
  isolatePod,
  cordonNode,
  scaleToZero,
  revokeBinding,
  labelObject,
  deletePod,
} as const;
