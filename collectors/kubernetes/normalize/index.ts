/**
 * Kubernetes objects → model documents. Pure functions: ids are `${clusterId}/${uid}` so
 * re-collection upserts, and only the fields the model keeps are copied (never managedFields,
 * annotations or whole specs).
 */
export { allowedArchsOf, docId, type TenantOf } from './common.js';
export { kubeEventFrom } from './kube-event.js';
export { namespaceFrom } from './namespace.js';
export { networkPolicyFrom } from './network-policy.js';
export { nodeFrom } from './node.js';
export { podFrom, podOwner, type OwnerLookup } from './pod.js';
export { bindingRisks, roleBindingFrom } from './role-binding.js';
export { workloadFrom, type WorkloadObjects } from './workload.js';
