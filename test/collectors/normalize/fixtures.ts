/**
 * Real Kubernetes objects from test/fixtures/k8s and 信创 variants derived from them: the same
 * minikube Node with the architecture, OS image, kernel, labels and capacity that Kunpeng,
 * Phytium, Hygon, Loongson and Sunway nodes report.
 */
import { readFileSync } from 'node:fs';
import type {
  CoreV1Event,
  V1ClusterRoleBinding,
  V1Namespace,
  V1NetworkPolicy,
  V1Node,
  V1Pod,
  V1RoleBinding,
} from '@kubernetes/client-node';

const read = <T>(path: string): T =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8')) as T;

export const realNode = (): V1Node => read<V1Node>('k8s/node-minikube-amd64.json');
export const realPod = (): V1Pod => read<V1Pod>('k8s/pod-nginx.json');
export const realNamespace = (): V1Namespace => read<V1Namespace>('k8s/namespace-kube-system.json');
export const realNetworkPolicy = (): V1NetworkPolicy => read<V1NetworkPolicy>('k8s/networkpolicy-fred.json');
export const realRoleBinding = (): V1RoleBinding => read<V1RoleBinding>('k8s/rolebinding-blee.json');
export const realClusterRoleBinding = (): V1ClusterRoleBinding =>
  read<V1ClusterRoleBinding>('k8s/clusterrolebinding-blee.json');
export const realEvent = (): CoreV1Event => read<CoreV1Event>('k8s/event-pulled.json');

export const STORED = {
  version: 1,
  createdAt: '2026-11-23T05:00:00.000Z',
  updatedAt: '2026-11-23T05:00:00.000Z',
};

export interface NodeVariant {
  name: string;
  uid: string;
  architecture: string;
  osImage: string;
  kernelVersion: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  capacity?: Record<string, string>;
}

export function nodeVariant(v: NodeVariant): V1Node {
  const node = realNode();
  const arch = v.architecture;
  node.metadata = {
    ...node.metadata,
    name: v.name,
    uid: v.uid,
    labels: {
      ...node.metadata?.labels,
      'kubernetes.io/arch': arch,
      'beta.kubernetes.io/arch': arch,
      'kubernetes.io/hostname': v.name,
      ...v.labels,
    },
    annotations: { ...node.metadata?.annotations, ...v.annotations },
    // What a real API server returns and the model must never keep.
    managedFields: [
      {
        manager: 'kubelet',
        operation: 'Update',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:status': { 'f:nodeInfo': {} } },
      },
    ],
  };
  node.status = {
    ...node.status,
    capacity: { ...node.status?.capacity, ...v.capacity },
    allocatable: { ...node.status?.allocatable, ...v.capacity },
    nodeInfo: {
      ...node.status!.nodeInfo!,
      architecture: arch,
      osImage: v.osImage,
      kernelVersion: v.kernelVersion,
      containerRuntimeVersion: 'containerd://1.6.21',
      kubeletVersion: 'v1.28.3',
    },
  };
  return node;
}

const NFD = 'feature.node.kubernetes.io/cpu-model.';

/** A Kunpeng 920 / Kylin V10 SP2 node with 8 Ascend 910 NPUs; NFD knows the part, the agent the rest. */
export const kunpengNode = () =>
  nodeVariant({
    name: 'kp-worker-07',
    uid: '3f0c9b7e-6d1a-4c55-9a51-0b1f2b6b8e11',
    architecture: 'arm64',
    osImage: 'Kylin Linux Advanced Server V10 (Sword)',
    kernelVersion: '4.19.90-24.4.v2101.ky10.aarch64',
    // klauspost/cpuid on arm64: no vendor for HiSilicon, family = MIDR[23:16], id = MIDR[15:0].
    labels: { [`${NFD}vendor_id`]: 'VendorUnknown', [`${NFD}family`]: '31', [`${NFD}id`]: String(0xd010) },
    annotations: {
      'yunshu.io/cpu-implementer': '0x48',
      'yunshu.io/cpu-part': '0xd01',
      'yunshu.io/cpu-model-name': 'Kunpeng-920',
    },
    capacity: { cpu: '96', 'huawei.com/Ascend910': '8' },
  });

/** A Phytium S2500 / UOS 20 node: the FTC663 part is shared, the DMI model name says S2500. */
export const phytiumNode = () =>
  nodeVariant({
    name: 'ft-worker-02',
    uid: '5b2e7c1a-0f3d-4a8e-9b6c-2d4f6a8b0c12',
    architecture: 'arm64',
    osImage: 'UnionTech OS Server 20',
    kernelVersion: '4.19.0-91.82.65.uelc20.aarch64',
    annotations: {
      'yunshu.io/cpu-implementer': '0x70',
      'yunshu.io/cpu-part': '0x663',
      'yunshu.io/cpu-model-name': 'Phytium,S2500/64 C00',
    },
    capacity: { cpu: '128' },
  });

/** A Hygon C86 / openEuler 20.03 LTS-SP3 node with a DCU, identified by NFD. */
export const hygonNode = () =>
  nodeVariant({
    name: 'hg-worker-11',
    uid: '7d4a9e2b-1c3f-4b5a-8e6d-0f1a2b3c4d5e',
    architecture: 'amd64',
    osImage: 'openEuler 20.03 (LTS-SP3)',
    kernelVersion: '4.19.90-2112.8.0.0131.oe1.x86_64',
    labels: { [`${NFD}vendor_id`]: 'Hygon', [`${NFD}family`]: '24', [`${NFD}id`]: '2' },
    annotations: { 'yunshu.io/cpu-model-name': 'Hygon C86 7285 32-core Processor' },
    capacity: { cpu: '64', 'hygon.com/dcu': '4' },
  });

/** A Loongson 3C5000L / Kylin V10 SP3 node: only the architecture says who made the CPU. */
export const loongsonNode = () =>
  nodeVariant({
    name: 'ls-worker-01',
    uid: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
    architecture: 'loong64',
    osImage: 'Kylin Linux Advanced Server V10 (Halberd)',
    kernelVersion: '4.19.190-7.4.lns8.loongarch64',
    capacity: { cpu: '64' },
  });

/** A Sunway node reporting sw_64 as `uname -m` spells it. */
export const sunwayNode = () =>
  nodeVariant({
    name: 'sw-worker-01',
    uid: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    architecture: 'sw_64',
    osImage: 'Kylin Linux Advanced Server V10 (Tercel)',
    kernelVersion: '4.19.90-25.1.v2101.ky10.sw_64',
    capacity: { cpu: '32' },
  });
