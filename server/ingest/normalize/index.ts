/** Pure normalisers from source payloads to SecurityEvent documents (no routes, no store). */
export { alertmanagerEvents, alertmanagerSeverity } from './alertmanager.js';
export {
  formatRejection,
  type NewSecurityEvent,
  type NormalizeContext,
  type NormalizeResult,
  type Rejection,
} from './common.js';
export { falcoEvents, falcoSeverity } from './falco.js';
export { auditActivity, auditEventOf, k8sAuditEvents } from './k8s-audit.js';
export { kubeBenchEvents, kubeBenchResultOf, type KubeBenchContext } from './kube-bench.js';
export { kubeEventEvents, kubeEventSeverity, resourceOfKind } from './kube-event.js';
export { mitreFromTags, type MitreRefs } from '../../detection/mitre.js';
export { ocsfEvents } from './ocsf.js';
export { engineEventOf, sigmaLogsource, sigmaView } from './sigma-view.js';
export { trivyEvents, trivyFindingOf, trivySeverity } from './trivy.js';
