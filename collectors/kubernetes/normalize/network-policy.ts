/** Kubernetes NetworkPolicy → model NetworkPolicy: selectors as matchLabels, rules as peers + ports. */
import type {
  V1LabelSelector,
  V1NetworkPolicy,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicyPeer,
  V1NetworkPolicyPort,
} from '@kubernetes/client-node';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyRule } from '../../../server/model/index.js';
import type { NewDoc } from '../../../server/store/port.js';
import { objectFields, type TenantOf } from './common.js';

const matchLabels = (selector: V1LabelSelector | undefined) =>
  selector ? { ...selector.matchLabels } : undefined;

function peerFrom(peer: V1NetworkPolicyPeer): NetworkPolicyPeer {
  return {
    podSelector: matchLabels(peer.podSelector),
    namespaceSelector: matchLabels(peer.namespaceSelector),
    ipBlock: peer.ipBlock ? { cidr: peer.ipBlock.cidr, except: [...(peer.ipBlock.except ?? [])] } : undefined,
  };
}

const portFrom = (port: V1NetworkPolicyPort) => ({
  protocol: port.protocol ?? 'TCP',
  port: port.port,
  endPort: port.endPort,
});

const ruleFrom = (peers: V1NetworkPolicyPeer[] | undefined, ports: V1NetworkPolicyPort[] | undefined) =>
  ({ peers: (peers ?? []).map(peerFrom), ports: (ports ?? []).map(portFrom) }) satisfies NetworkPolicyRule;

/**
 * Ingress peers: raw JSON (what the collectors read) spells the field `from`, the client's
 * deserialized V1 class `_from` (`from` is a reserved word in its generator); both are accepted.
 */
const ingressPeers = (rule: V1NetworkPolicyIngressRule) =>
  (rule as { from?: V1NetworkPolicyPeer[] }).from ?? rule._from;

export function networkPolicyFrom(
  clusterId: string,
  obj: V1NetworkPolicy,
  tenantOf: TenantOf,
): NewDoc<NetworkPolicy> {
  const namespace = obj.metadata?.namespace ?? '';
  const spec = obj.spec;
  return {
    ...objectFields(clusterId, obj.metadata),
    namespace,
    tenantId: tenantOf(clusterId, namespace),
    podSelector: matchLabels(spec?.podSelector) ?? {},
    policyTypes: (spec?.policyTypes ?? []).filter((t) => t === 'Ingress' || t === 'Egress'),
    ingress: (spec?.ingress ?? []).map((rule) => ruleFrom(ingressPeers(rule), rule.ports)),
    egress: (spec?.egress ?? []).map((rule) => ruleFrom(rule.to, rule.ports)),
  };
}
