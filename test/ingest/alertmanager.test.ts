// An Alertmanager webhook body (version 4) in the documented shape, written for Yunshu.
import {
  alertmanagerEvents,
  alertmanagerSeverity,
  formatRejection,
} from '../../server/ingest/normalize/index.js';
import { expectStorable } from './helpers.js';

const firing = {
  status: 'firing',
  labels: {
    alertname: 'KubePodCrashLooping',
    severity: 'warning',
    namespace: 'gzdsj-portal',
    pod: 'portal-api-5d8c7b9f4-x2k9q',
    container: 'api',
  },
  annotations: {
    summary: 'Pod is crash looping.',
    description:
      'Pod gzdsj-portal/portal-api-5d8c7b9f4-x2k9q (api) is in waiting state (reason: "CrashLoopBackOff").',
  },
  startsAt: '2026-11-23T04:50:00.123456789Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus.monitoring:9090/graph?g0.expr=kube_pod_container_status_waiting_reason',
  fingerprint: 'a1b2c3d4e5f60718',
};
const resolved = {
  ...firing,
  status: 'resolved',
  labels: { alertname: 'NodeFilesystemAlmostFull', severity: 'critical', node: 'kp-worker-07' },
  annotations: { description: 'Filesystem on /dev/vda1 has only 3% space left.' },
  endsAt: '2026-11-23T05:10:00Z',
  fingerprint: '0f1e2d3c4b5a6978',
};
const webhook = (alerts: unknown[]) => ({
  version: '4',
  groupKey: '{}:{alertname="KubePodCrashLooping"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'yunshu',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager.monitoring:9093',
  alerts,
});

describe('alertmanagerEvents', () => {
  test('one event per alert: firing creates, resolved closes', () => {
    const result = alertmanagerEvents(JSON.stringify(webhook([firing, resolved])), {
      clusterId: 'gz-prod-1',
      tenantOf: (_c, ns) => (ns === 'gzdsj-portal' ? 'tenant-gzdsj' : undefined),
    });
    expect(result.rejected).toEqual([]);
    expectStorable(result);
    expect(result.events[0]).toMatchObject({
      source: 'alertmanager',
      sourceEventId: 'a1b2c3d4e5f60718/firing/2026-11-23T04:50:00.123456789Z',
      class_uid: 2004,
      activity_id: 1,
      type_uid: 200_401,
      severity_id: 3,
      time: '2026-11-23T04:50:00.123Z',
      message: 'Pod is crash looping.',
      metadata: { uid: 'a1b2c3d4e5f60718', original_time: '2026-11-23T04:50:00.123456789Z' },
      finding_info: { uid: 'a1b2c3d4e5f60718', title: 'KubePodCrashLooping' },
      k8s: {
        clusterId: 'gz-prod-1',
        namespace: 'gzdsj-portal',
        pod: 'portal-api-5d8c7b9f4-x2k9q',
        container: 'api',
      },
      tenantId: 'tenant-gzdsj',
      raw: firing,
    });
    expect(result.events[1]).toMatchObject({
      activity_id: 3,
      type_uid: 200_403,
      severity_id: 5,
      time: '2026-11-23T05:10:00.000Z',
      message: 'Filesystem on /dev/vda1 has only 3% space left.',
      k8s: { clusterId: 'gz-prod-1', node: 'kp-worker-07' },
    });
    expect(result.events[1]).not.toHaveProperty('tenantId');
  });

  test('firing and resolved notifications of one alert get distinct dedup keys', () => {
    const result = alertmanagerEvents(
      webhook([firing, { ...firing, status: 'resolved', endsAt: '2026-11-23T05:00:00Z' }]),
    );
    expect(new Set(result.events.map((e) => e.sourceEventId)).size).toBe(2);
  });

  test.each([
    ['critical', 5],
    ['error', 4],
    ['warning', 3],
    ['info', 1],
    ['none', 1],
    [undefined, 0],
  ])('severity label %s → severity_id %d', (label, severity) => {
    expect(alertmanagerSeverity(label)).toBe(severity);
  });

  test('bad alerts are reported by index and path; others still come back', () => {
    const result = alertmanagerEvents(
      webhook([
        firing,
        { ...firing, startsAt: 'soon' },
        { ...firing, status: 'pending', labels: { severity: 3 } },
      ]),
    );
    expect(result.events).toHaveLength(1);
    expect(result.rejected.map(formatRejection)).toEqual([
      'alerts[1].startsAt: not a valid timestamp',
      'alerts[2].status: Invalid option: expected one of "firing"|"resolved"',
      'alerts[2].labels.severity: Invalid input: expected string, received number',
    ]);
    expect(result.rejected.map((r) => r.index)).toEqual([1, 2, 2]);
  });

  test('a payload that is not a version 4 webhook is one rejection', () => {
    expect(alertmanagerEvents({ ...webhook([firing]), version: '3' }).rejected.map(formatRejection)).toEqual([
      'version: Invalid input: expected "4"',
    ]);
    expect(alertmanagerEvents('{"version": "4", "alerts": [').rejected.map(formatRejection)).toEqual([
      ': not valid JSON',
    ]);
  });
});
