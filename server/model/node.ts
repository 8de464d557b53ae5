/** A Kubernetes node as collected, with the CPU / OS facts the 信创 inventory is about. */
import { z, StoredFields } from './common.js';
import { Arch, K8sObjectFields, ResourceQuantities, SchemaVersion } from './fragments.js';

export const CpuVendor = z
  .enum(['hygon', 'intel', 'amd', 'zhaoxin', 'kunpeng', 'phytium', 'loongson', 'sunway', 'other', 'unknown'])
  .describe(
    'CPU vendor: hygon (海光), intel, amd, zhaoxin (兆芯), kunpeng (华为鲲鹏), phytium (飞腾), loongson (龙芯), sunway (申威), other (identified but not listed), unknown (not detected)',
  );
export type CpuVendor = z.infer<typeof CpuVendor>;

export const OsFamily = z
  .enum(['kylin', 'uos', 'openeuler', 'anolis', 'centos', 'ubuntu', 'debian', 'rhel', 'other'])
  .describe(
    'Operating-system family: kylin (银河麒麟), uos (统信 UOS), openeuler, anolis (龙蜥), centos, ubuntu, debian, rhel, other',
  );
export type OsFamily = z.infer<typeof OsFamily>;

// First match wins: Kylin and UOS images mention their upstream bases after their own names.
const OS_PATTERNS: readonly (readonly [RegExp, OsFamily])[] = [
  [/kylin|麒麟/i, 'kylin'],
  [/uniontech|\buos\b|统信/i, 'uos'],
  [/openeuler/i, 'openeuler'],
  [/anolis/i, 'anolis'],
  [/centos/i, 'centos'],
  [/ubuntu/i, 'ubuntu'],
  [/debian/i, 'debian'],
  [/red hat|\brhel\b/i, 'rhel'],
];

/** Classifies a node's `status.nodeInfo.osImage`, e.g. "Kylin Linux Advanced Server V10 (Sword)" → kylin. */
export const osFamilyOf = (osImage: string): OsFamily =>
  OS_PATTERNS.find(([pattern]) => pattern.test(osImage))?.[1] ?? 'other';

export const AcceleratorKind = z
  .enum(['gpu', 'npu', 'dcu', 'other'])
  .describe('Accelerator kind: gpu (e.g. NVIDIA), npu (e.g. Huawei Ascend 昇腾), dcu (Hygon DCU), other');

export const Accelerator = z
  .object({
    resourceName: z
      .string()
      .min(1)
      .max(253)
      .describe(
        'Extended resource name as the device plugin reports it, e.g. nvidia.com/gpu, huawei.com/Ascend910',
      ),
    kind: AcceleratorKind,
    model: z.string().max(128).optional().describe('Device model when known, e.g. Ascend 910B, A100'),
    count: z.int().nonnegative().describe('Number of devices in the node capacity'),
  })
  .describe('Accelerator devices on the node');

export const TaintEffect = z
  .enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])
  .describe('Kubernetes taint effect');
export type TaintEffect = z.infer<typeof TaintEffect>;

export const Taint = z
  .object({
    key: z.string().min(1).max(316).describe('Taint key'),
    value: z.string().max(63).optional().describe('Taint value'),
    effect: TaintEffect,
  })
  .describe('Kubernetes node taint');

export const NodeConditions = z
  .object({
    ready: z
      .enum(['true', 'false', 'unknown'])
      .describe('Ready condition; unknown when the node controller lost contact with the kubelet'),
    memoryPressure: z.boolean().default(false).describe('MemoryPressure condition is True'),
    diskPressure: z.boolean().default(false).describe('DiskPressure condition is True'),
    pidPressure: z.boolean().default(false).describe('PIDPressure condition is True'),
    networkUnavailable: z.boolean().default(false).describe('NetworkUnavailable condition is True'),
  })
  .describe('Summary of the node conditions');

export const NodeSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    ...K8sObjectFields,
    arch: Arch,
    reportedArch: z
      .string()
      .min(1)
      .max(64)
      .describe('Architecture exactly as reported in status.nodeInfo.architecture'),
    cpu: z
      .object({
        vendor: CpuVendor.default('unknown'),
        family: z
          .string()
          .max(128)
          .optional()
          .describe('CPU family / series, e.g. Kunpeng 920, FT-2000+/64, Hygon C86'),
        model: z
          .string()
          .max(256)
          .optional()
          .describe('CPU model name as detected, e.g. Hygon C86 7285 32-core'),
        source: z
          .enum(['nfd-label', 'agent-annotation', 'heuristic', 'unknown'])
          .default('unknown')
          .describe(
            'Where the identification came from: node-feature-discovery labels, the Yunshu agent, a heuristic (arch, kernel), or nothing',
          ),
      })
      .describe('CPU identification (from node-feature-discovery labels or the collector)'),
    osFamily: OsFamily,
    osImage: z
      .string()
      .max(256)
      .describe('status.nodeInfo.osImage, e.g. Kylin Linux Advanced Server V10 (Sword)'),
    osVersion: z
      .string()
      .max(64)
      .optional()
      .describe('OS version with service pack where known, e.g. V10 SP2, 22.03 LTS-SP3, 20'),
    kernelVersion: z
      .string()
      .max(256)
      .describe('status.nodeInfo.kernelVersion, e.g. 4.19.90-52.22.v2207.ky10.aarch64'),
    containerRuntimeVersion: z
      .string()
      .max(256)
      .describe('status.nodeInfo.containerRuntimeVersion, e.g. containerd://1.6.21'),
    kubeletVersion: z.string().max(64).describe('status.nodeInfo.kubeletVersion, e.g. v1.28.3'),
    internalIp: z.union([z.ipv4(), z.ipv6()]).optional().describe('InternalIP address of the node'),
    capacity: ResourceQuantities.describe('status.capacity in base units'),
    allocatable: ResourceQuantities.describe('status.allocatable in base units (what pods may request)'),
    accelerators: z.array(Accelerator).default([]).describe('Accelerators found in the node capacity'),
    conditions: NodeConditions,
    taints: z.array(Taint).default([]).describe('spec.taints'),
    unschedulable: z.boolean().default(false).describe('spec.unschedulable (cordoned)'),
  })
  .describe('A Kubernetes node')
  .openapi('Node');
export type Node = z.infer<typeof NodeSchema>;
