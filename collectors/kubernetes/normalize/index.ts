/**
 * Kubernetes objects → model documents. Pure functions: ids are `${clusterId}/${uid}` so
 * re-collection upserts, and only the fields the model keeps are copied (never managedFields,
 * annotations or whole specs).
 */
export { allowedArchsOf, docId, type TenantOf } from './common.js';
export { namespaceFrom } from './namespace.js';
export { nodeFrom } from './node.js';
export { podFrom, podOwner, type OwnerLookup } from './pod.js';
export { workloadFrom, type WorkloadObjects } from './workload.js';
