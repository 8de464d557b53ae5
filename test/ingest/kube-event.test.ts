// Stored Kubernetes Warning events (as the collector writes them to kube_events) normalised to SecurityEvents.
import type { CoreV1Event } from '@kubernetes/client-node';
import { kubeEventFrom } from '../../collectors/kubernetes/normalize/index.js';
import {
  formatRejection,
  kubeEventEvents,
  kubeEventSeverity,
  resourceOfKind,
  sigmaLogsource,
  sigmaView,
} from '../../server/ingest/normalize/index.js';
import { expectStorable, fixture } from './helpers.js';

const PULLED = JSON.parse(fixture('k8s/event-pulled.json')) as CoreV1Event;

/** The real kubelet event (k9s testdata) as the Warning a failing pull of the same image gives. */
const backOff = kubeEventFrom(
  'gz-prod-1',
  {
    ...PULLED,
    type: 'Warning',
    reason: 'BackOff',
    message: 'Back-off pulling image "blang/busybox-bash"',
    count: 4,
  },
  (_c, ns) => (ns === 'default' ? 'tenant-gzdsj' : undefined),
)!;
/** As stored: the store adds its fields, which the normaliser does not need. */
const stored = {
  ...backOff,
  version: 3,
  createdAt: '2019-08-30T20:43:06.000Z',
  updatedAt: '2019-08-30T20:45:06.000Z',
};

const nodeOom = {
  clusterId: 'gz-prod-1',
  name: 'kp-worker-07.17a1b2c3d4e5f607',
  uid: 'b1c2d3e4-0000-4000-8000-00000000a001',
  labels: {},
  namespace: 'default',
  involvedObject: { kind: 'Node', name: 'kp-worker-07', uid: 'kp-worker-07' },
  reason: 'OOMKilling',
  message: 'Memory cgroup out of memory: Killed process 4242 (xmrig)',
  count: 1,
  lastTimestamp: '2026-11-23T05:01:40.000Z',
  sourceComponent: 'kernel-monitor',
};

describe('kubeEventEvents', () => {
  test('a stored Warning event becomes an Application Lifecycle event about its object', () => {
    const result = kubeEventEvents(stored);
    expect(result.rejected).toEqual([]);
    expectStorable(result);
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({
      source: 'k8s-event',
      sourceEventId: 'gz-prod-1/c443d4b3-cb66-11e9-990f-42010a800218/4',
      class_uid: 6002,
      category_uid: 6,
      activity_id: 99,
      type_uid: 600_299,
      severity_id: 2,
      time: '2019-08-30T20:43:05.000Z',
      message: 'BackOff Pod default/hello-1567197780-mn4mv: Back-off pulling image "blang/busybox-bash"',
      metadata: {
        product: { name: 'Kubernetes', vendor_name: 'CNCF' },
        uid: 'c443d4b3-cb66-11e9-990f-42010a800218',
        original_time: '2019-08-30T20:43:05.000Z',
      },
      resources: [
        {
          type: 'pods',
          name: 'hello-1567197780-mn4mv',
          namespace: 'default',
          uid: 'c31fdeb8-cb66-11e9-990f-42010a800218',
        },
      ],
      k8s: { clusterId: 'gz-prod-1', namespace: 'default', pod: 'hello-1567197780-mn4mv' },
      tenantId: 'tenant-gzdsj',
      raw: stored,
    });
  });

  test('a repeated series counts again; re-reading the same count dedups', () => {
    const key = (count: number) => kubeEventEvents({ ...stored, count }).events[0]!.sourceEventId;
    expect(key(4)).toBe(key(4));
    expect(key(5)).not.toBe(key(4));
  });

  test('a node event: node context, Medium, and no tenant though it is filed in default', () => {
    const result = kubeEventEvents([nodeOom], { tenantOf: () => 'tenant-ops' });
    expectStorable(result);
    expect(result.events[0]).toMatchObject({
      severity_id: 3,
      message: 'OOMKilling Node kp-worker-07: Memory cgroup out of memory: Killed process 4242 (xmrig)',
      resources: [{ type: 'nodes', name: 'kp-worker-07', uid: 'kp-worker-07' }],
      k8s: { clusterId: 'gz-prod-1', node: 'kp-worker-07' },
    });
    expect(result.events[0]!.k8s).not.toHaveProperty('pod');
    expect(result.events[0]!.k8s).not.toHaveProperty('namespace');
    expect(result.events[0]).not.toHaveProperty('tenantId');
  });

  test('the tenant resolver fills a tenant the collector could not resolve', () => {
    const { tenantId: _t, ...unowned } = stored;
    const tenantOf = (clusterId: string, ns: string) =>
      clusterId === 'gz-prod-1' && ns === 'default' ? 'tenant-late' : undefined;
    expect(kubeEventEvents(unowned, { tenantOf }).events[0]!.tenantId).toBe('tenant-late');
    expect(kubeEventEvents(stored, { tenantOf }).events[0]!.tenantId).toBe('tenant-gzdsj');
  });

  test.each([
    ['BackOff', 2],
    ['FailedMount', 2],
    ['FailedScheduling', 2],
    ['Unhealthy', 3],
    ['FailedCreate', 3],
    ['OOMKilling', 3],
    ['Evicted', 3],
  ])('reason %s → severity_id %d', (reason, severity) => {
    expect(kubeEventSeverity(reason)).toBe(severity);
  });

  test.each([
    ['Pod', 'pods'],
    ['NetworkPolicy', 'networkpolicies'],
    ['Ingress', 'ingresses'],
    ['ReplicaSet', 'replicasets'],
  ])('kind %s is the resource %s', (kind, resource) => {
    expect(resourceOfKind(kind)).toBe(resource);
  });

  test('bad documents are reported by index and path; the good ones still come back', () => {
    const { lastTimestamp: _l, firstTimestamp: _f, k8sCreatedAt: _k, ...untimed } = backOff;
    const ndjson = [
      JSON.stringify(stored),
      JSON.stringify({ ...stored, reason: 7, count: 0 }),
      JSON.stringify({ ...stored, involvedObject: { kind: 'Pod' } }),
      '{"clusterId": ',
      JSON.stringify(untimed),
      JSON.stringify({ ...stored, lastTimestamp: '2019-08-30 20:43' }),
      JSON.stringify(nodeOom),
    ].join('\n');
    const result = kubeEventEvents(ndjson);
    expect(result.rejected.map(formatRejection)).toEqual([
      '[1].reason: Invalid input: expected string, received number',
      '[1].count: Too small: expected number to be >=1',
      '[2].involvedObject.name: Invalid input: expected string, received undefined',
      '[3]: not valid JSON',
      '[4].lastTimestamp: a Warning event needs lastTimestamp, firstTimestamp or k8sCreatedAt',
      '[5].lastTimestamp: Invalid ISO datetime',
    ]);
    expect(result.rejected.map((r) => r.index)).toEqual([1, 1, 2, 3, 4, 5]);
    expect(result.events.map((e) => e.metadata.uid)).toEqual([backOff.uid, nodeOom.uid]);
  });

  test('Sigma rules for kubernetes/events see the stored event', () => {
    const [event] = kubeEventEvents(stored).events;
    expect(sigmaLogsource(event!)).toEqual({ product: 'kubernetes', service: 'events' });
    expect(sigmaView(event!)).toMatchObject({
      reason: 'BackOff',
      involvedObject: { kind: 'Pod' },
      sourceComponent: 'kubelet',
      count: 4,
    });
  });
});
