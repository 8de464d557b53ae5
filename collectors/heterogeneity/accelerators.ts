/**
 * Accelerators from the extended resources device plugins register in a node's capacity. Only the
 * device-count resources are read; companion resources (memory, cores, shares such as
 * hygon.com/dcumem or huawei.com/Ascend910-memory) describe the same devices and are not counted.
 */
import type { V1Node } from '@kubernetes/client-node';
import { parseQuantity, type Accelerator, type z } from '../../server/model/index.js';

type AcceleratorDoc = z.infer<typeof Accelerator>;

interface Rule {
  pattern: RegExp;
  kind: AcceleratorDoc['kind'];
  model: (match: RegExpExecArray, labels: Readonly<Record<string, string>>) => string | undefined;
}

const RULES: readonly Rule[] = [
  // Ascend device plugin: huawei.com/Ascend910, Ascend910B, Ascend310, Ascend310P.
  {
    pattern: /^huawei\.com\/(Ascend\d+[A-Z]?)$/,
    kind: 'npu',
    model: (m) => m[1]?.replace('Ascend', 'Ascend '),
  },
  // NVIDIA device plugin; gpu-feature-discovery labels the product.
  { pattern: /^nvidia\.com\/gpu$/, kind: 'gpu', model: (_m, labels) => labels['nvidia.com/gpu.product'] },
  { pattern: /^nvidia\.com\/mig-([\w.]+)$/, kind: 'gpu', model: (m) => `MIG ${m[1]}` },
  // Hygon DCU device plugin (hygon.com/dcu) and HAMi's virtualised count (hygon.com/dcunum).
  { pattern: /^hygon\.com\/dcu(?:num)?$/, kind: 'dcu', model: () => 'Hygon DCU' },
  // Cambricon MLU device plugin (cambricon.com/mlu, or mlu<model> with device types on) and HAMi's vmlu.
  { pattern: /^cambricon\.com\/v?mlu(\d*)$/, kind: 'npu', model: (m) => `Cambricon MLU${m[1] ?? ''}` },
  // Other GPU device plugins follow the <vendor>/gpu convention (amd.com/gpu, ...).
  { pattern: /^([a-z0-9.-]+)\/gpu$/, kind: 'gpu', model: () => undefined },
];

/** Accelerators in `status.capacity`, sorted by resource name; absent or zero counts are skipped. */
export function acceleratorsOf(node: Pick<V1Node, 'metadata' | 'status'>): AcceleratorDoc[] {
  const labels = node.metadata?.labels ?? {};
  const found: AcceleratorDoc[] = [];
  for (const [resourceName, amount] of Object.entries(node.status?.capacity ?? {})) {
    for (const rule of RULES) {
      const match = rule.pattern.exec(resourceName);
      if (!match) continue;
      let count: number;
      try {
        count = parseQuantity(amount);
      } catch {
        break; // a malformed amount says nothing about the devices
      }
      const model = rule.model(match, labels);
      if (count > 0) found.push({ resourceName, kind: rule.kind, count, ...(model ? { model } : {}) });
      break;
    }
  }
  return found.sort((a, b) => a.resourceName.localeCompare(b.resourceName));
}
