// Kubernetes Warning events the collectors stored reach the rules through the ingest pipeline.
import type { KubeEvent } from '../../server/model/kube-event.js';
import type { SecurityEvent } from '../../server/model/security-event.js';
import { detectionApp, type DetectionApp } from '../support/detection-app.js';

function warning(
  name: string,
  reason: string,
  count = 1,
): Omit<KubeEvent, 'version' | 'createdAt' | 'updatedAt'> {
  return {
    id: `gz-prod-1/gzdsj-portal/${name}`,
    schemaVersion: 1,
    clusterId: 'gz-prod-1',
    name,
    uid: `uid-${name}`,
    labels: {},
    namespace: 'gzdsj-portal',
    tenantId: 'tenant-gzdsj',
    involvedObject: {
      kind: 'Pod',
      name: 'portal-api-7d9f-abcde',
      namespace: 'gzdsj-portal',
      uid: 'pod-uid-1',
    },
    reason,
    message: `${reason} happened`,
    count,
    lastTimestamp: '2026-11-23T02:00:00.000Z',
    sourceComponent: 'kubelet',
  };
}

describe('KubeEventFeed', () => {
  let t: DetectionApp;
  const kubeEvents = () => t.store.collection<KubeEvent>('kube_events');
  const events = () => t.store.collection<SecurityEvent>('security_events');

  beforeEach(async () => {
    t = await detectionApp();
  });
  afterEach(() => t.close());

  test('feeds new and updated Warning events once each, resuming from its stored cursor', async () => {
    await kubeEvents().insert(warning('a', 'BackOff'));
    await kubeEvents().insert(warning('b', 'FailedMount'));
    expect(await t.runtime.kubeEvents.poll()).toBe(2);
    expect(await events().count({ source: 'k8s-event' })).toBe(2);

    // Nothing new: nothing read. A raised count is a new occurrence.
    expect(await t.runtime.kubeEvents.poll()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await kubeEvents().update('gz-prod-1/gzdsj-portal/a', { count: 2 });
    expect(await t.runtime.kubeEvents.poll()).toBe(1);
    const stored = (await events().find({ filter: { source: 'k8s-event' } })).items;
    expect(stored.map((e) => e.sourceEventId).sort()).toEqual([
      'gz-prod-1/uid-a/1',
      'gz-prod-1/uid-a/2',
      'gz-prod-1/uid-b/1',
    ]);
    expect(stored.every((e) => e.tenantId === 'tenant-gzdsj' && e.k8s?.clusterId === 'gz-prod-1')).toBe(true);
  });
});
