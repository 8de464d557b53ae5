/**
 * Loads our own YAML fixtures into the envtest API server, the way a cluster would hold them:
 * objects are created as they are, then their `status` is written through the status subresource
 * (with no kubelets or controllers, nothing else would set it).
 */
import { readFileSync } from 'node:fs';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

export function readFixtures(file: string): (KubernetesObject & { status?: unknown })[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map(
    (doc) => doc.toJS() as KubernetesObject & { status?: unknown },
  );
}

export async function loadFixtures(kubeconfig: string, file: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  for (const { status, ...object } of readFixtures(file)) {
    await objects.create(object);
    if (!status) continue;
    const name = object.metadata!.name!;
    if (object.kind === 'Node') {
      const node = await core.readNode({ name });
      await core.replaceNodeStatus({ name, body: { ...node, status: status as never } });
    } else if (object.kind === 'Pod') {
      const namespace = object.metadata!.namespace!;
      const pod = await core.readNamespacedPod({ name, namespace });
      await core.replaceNamespacedPodStatus({ name, namespace, body: { ...pod, status: status as never } });
    }
  }
}
