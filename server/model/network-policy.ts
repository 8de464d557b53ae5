/** A Kubernetes NetworkPolicy as collected: which pods it selects and a summary of its rules. */
import { z, Labels, StoredFields } from './common.js';
import { DerivedTenantId, K8sObjectFields, NamespaceName, SchemaVersion } from './fragments.js';

export const NetworkPolicyPeer = z
  .object({
    podSelector: Labels.optional().describe(
      'matchLabels of the pod selector; {} selects every pod (of the selected namespaces)',
    ),
    namespaceSelector: Labels.optional().describe(
      'matchLabels of the namespace selector; {} selects every namespace',
    ),
    ipBlock: z
      .object({
        cidr: z.string().min(1).max(64).describe('Allowed CIDR, e.g. 172.17.0.0/16'),
        except: z.array(z.string().min(1).max(64)).default([]).describe('CIDRs carved out of cidr'),
      })
      .optional()
      .describe('IP block peer'),
  })
  .describe('One from/to peer; matchExpressions are not summarised');
export type NetworkPolicyPeer = z.infer<typeof NetworkPolicyPeer>;

export const NetworkPolicyPort = z
  .object({
    protocol: z.string().min(1).max(16).default('TCP').describe('TCP, UDP or SCTP'),
    port: z
      .union([z.int().min(0).max(65535), z.string().min(1).max(15)])
      .optional()
      .describe('Port number or named container port; absent means every port'),
    endPort: z.int().min(0).max(65535).optional().describe('End of a port range starting at port'),
  })
  .describe('One port of a rule');

export const NetworkPolicyRule = z
  .object({
    peers: z
      .array(NetworkPolicyPeer)
      .default([])
      .describe('from (ingress) or to (egress); empty means every peer'),
    ports: z.array(NetworkPolicyPort).default([]).describe('Ports; empty means every port'),
  })
  .describe('Summary of one ingress or egress rule');
export type NetworkPolicyRule = z.infer<typeof NetworkPolicyRule>;

export const NetworkPolicySchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    ...K8sObjectFields,
    namespace: NamespaceName,
    tenantId: DerivedTenantId,
    podSelector: Labels.default({}).describe(
      'matchLabels of spec.podSelector: the pods the policy applies to; {} selects every pod in the namespace',
    ),
    policyTypes: z
      .array(z.enum(['Ingress', 'Egress']))
      .default([])
      .describe('spec.policyTypes: which directions the policy isolates'),
    ingress: z
      .array(NetworkPolicyRule)
      .default([])
      .describe('Ingress rules; none with Ingress isolated denies all'),
    egress: z
      .array(NetworkPolicyRule)
      .default([])
      .describe('Egress rules; none with Egress isolated denies all'),
  })
  .describe('A Kubernetes NetworkPolicy')
  .openapi('NetworkPolicy');
export type NetworkPolicy = z.infer<typeof NetworkPolicySchema>;
