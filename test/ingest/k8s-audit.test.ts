// Kubernetes audit Events (test/fixtures/k8s-audit, written for Yunshu) in every shape a cluster delivers them.
import { auditActivity, formatRejection, k8sAuditEvents } from '../../server/ingest/normalize/index.js';
import { expectStorable, fixture } from './helpers.js';

type Obj = Record<string, unknown>;
const LIST = JSON.parse(fixture('k8s-audit/eventlist-webhook.json')) as { items: Obj[] };
const [RECEIVED, EXEC, FORBIDDEN, LIST_NODES] = LIST.items as [Obj, Obj, Obj, Obj];
const CTX = {
  clusterId: 'gz-prod-1',
  tenantOf: (clusterId: string, ns: string) => (ns === 'gzdsj-portal' ? `tenant-of-${clusterId}` : undefined),
};

describe('k8sAuditEvents', () => {
  test('webhook EventList: only ResponseComplete becomes an event, the rest is counted', () => {
    const result = k8sAuditEvents(LIST, CTX);
    expect(result.rejected).toEqual([]);
    expect(result.skipped).toBe(1);
    expect(result.events).toHaveLength(3);
    expectStorable(result);
    expect(result.events[0]).toEqual({
      schemaVersion: 1,
      source: 'k8s-audit',
      sourceEventId: '0b7a2f4e-8c51-4c1e-9d7f-3f0e5a6b7c81',
      class_uid: 6003,
      category_uid: 6,
      activity_id: 1,
      type_uid: 600_301,
      severity_id: 1,
      time: '2026-11-23T04:58:12.345Z',
      message:
        'create pods/exec gzdsj-portal/portal-api-5d8c7b9f4-x2k9q by system:serviceaccount:gzdsj-portal:ci → 101',
      metadata: {
        product: { name: 'Kubernetes', vendor_name: 'CNCF' },
        version: '1.3.0',
        uid: '0b7a2f4e-8c51-4c1e-9d7f-3f0e5a6b7c81',
        original_time: '2026-11-23T04:58:12.345678Z',
      },
      actor: {
        user: {
          name: 'system:serviceaccount:gzdsj-portal:ci',
          uid: '4f1c2b7e-9a0d-4e51-8c3f-6b2d1e0a9f77',
          groups: ['system:serviceaccounts', 'system:serviceaccounts:gzdsj-portal', 'system:authenticated'],
        },
      },
      src_endpoint: { ip: '10.12.9.4' },
      resources: [{ type: 'pods/exec', name: 'portal-api-5d8c7b9f4-x2k9q', namespace: 'gzdsj-portal' }],
      observables: [
        { name: 'actor.user.name', type_id: 4, value: 'system:serviceaccount:gzdsj-portal:ci' },
        { name: 'src_endpoint.ip', type_id: 2, value: '10.12.9.4' },
      ],
      k8s: { clusterId: 'gz-prod-1', namespace: 'gzdsj-portal', pod: 'portal-api-5d8c7b9f4-x2k9q' },
      tenantId: 'tenant-of-gz-prod-1',
      raw: EXEC,
    });
    const [, forbidden, listNodes] = result.events;
    expect(forbidden).toMatchObject({
      activity_id: 2,
      severity_id: 2,
      src_endpoint: { ip: '2001:db8:12::9' },
    });
    expect(forbidden).not.toHaveProperty('tenantId');
    expect(listNodes).toMatchObject({
      activity_id: 2,
      resources: [{ type: 'nodes' }],
      k8s: { clusterId: 'gz-prod-1' },
    });
  });

  test('log backend NDJSON gives the same events as the webhook', () => {
    const ndjson = LIST.items.map((e) => JSON.stringify(e)).join('\n') + '\n';
    const fromLog = k8sAuditEvents(ndjson, CTX);
    expect(fromLog).toEqual(k8sAuditEvents(LIST, CTX));
    expect(k8sAuditEvents(EXEC, CTX).events).toEqual(fromLog.events.slice(0, 1));
  });

  test('Panic is kept (severity 3); RequestReceived and ResponseStarted are skipped', () => {
    const result = k8sAuditEvents([
      { ...EXEC, stage: 'Panic' },
      { ...EXEC, stage: 'ResponseStarted' },
      RECEIVED,
    ]);
    expect(result).toMatchObject({ skipped: 2, rejected: [] });
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({ severity_id: 3 });
    // Without a cluster in the context there is no k8s extension, hence no tenant.
    expect(result.events[0]).not.toHaveProperty('k8s');
  });

  test.each([
    ['create', 1],
    ['get', 2],
    ['list', 2],
    ['watch', 2],
    ['update', 3],
    ['patch', 3],
    ['delete', 4],
    ['deletecollection', 4],
    ['impersonate', 99],
  ])('verb %s → activity_id %d', (verb, activity) => {
    expect(auditActivity(verb)).toBe(activity);
    const [event] = k8sAuditEvents({ ...LIST_NODES, verb }).events;
    expect(event).toMatchObject({ activity_id: activity, type_uid: 600_300 + activity });
  });

  test('malformed Events are reported with index and path', () => {
    const { user: _u, ...noUser } = FORBIDDEN;
    const ndjson = [
      JSON.stringify(LIST_NODES),
      'kube-apiserver: not json',
      JSON.stringify({ ...LIST_NODES, requestReceivedTimestamp: '23/11/2026 05:00' }),
      JSON.stringify(noUser),
      JSON.stringify({ ...LIST_NODES, auditID: 42, user: { username: 'x', groups: 'system:masters' } }),
      JSON.stringify({ ...LIST_NODES, responseStatus: { code: '200' } }),
    ].join('\n');
    const result = k8sAuditEvents(ndjson);
    expect(result.events).toHaveLength(1);
    expect(result.rejected.map(formatRejection)).toEqual([
      '[1]: not valid JSON',
      '[2].requestReceivedTimestamp: not a valid timestamp',
      '[3].user: Invalid input: expected object, received undefined',
      '[4].auditID: Invalid input: expected string, received number',
      '[4].user.groups: Invalid input: expected array, received string',
      '[5].responseStatus.code: Invalid input: expected number, received string',
    ]);
  });

  test('EventList items are reported by their position in the list', () => {
    const result = k8sAuditEvents({ ...LIST, items: [EXEC, { ...EXEC, verb: 7 }] });
    expect(result.rejected.map(formatRejection)).toEqual([
      'items[1].verb: Invalid input: expected string, received number',
    ]);
  });

  test('an unparseable source IP is left out of the endpoint, not a reason to drop the event', () => {
    // The EKS documentation sample carries "12.000.22.33", which is not a valid IPv4 address.
    const [event] = k8sAuditEvents({ ...LIST_NODES, sourceIPs: ['12.000.22.33', '10.0.0.8'] }).events;
    expect(event!.src_endpoint).toEqual({ ip: '10.0.0.8' });
  });
});

describe('cloud wrappers', () => {
  // A GKE audit entry as Cloud Logging exports it: a LogEntry whose protoPayload is a Cloud Audit AuditLog.
  const gke = {
    insertId: '7d2d5b1f-3e0a-4f4e-9a40-1c1f7b6a9e21',
    logName: 'projects/gov-prod/logs/cloudaudit.googleapis.com%2Factivity',
    resource: { type: 'k8s_cluster', labels: { cluster_name: 'prod-1', location: 'asia-east2' } },
    timestamp: '2026-11-23T04:58:12.345678Z',
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      authenticationInfo: { principalEmail: 'ops@gov-prod.iam.gserviceaccount.com' },
      requestMetadata: { callerIp: '10.20.30.40', callerSuppliedUserAgent: 'kubectl/v1.28.3' },
      methodName: 'io.k8s.core.v1.pods.exec.create',
      resourceName: 'core/v1/namespaces/gzdsj-portal/pods/portal-api-5d8c7b9f4-x2k9q/exec',
      serviceName: 'k8s.io',
      status: {},
    },
  };

  test('GKE protoPayload: the Event is rebuilt from the AuditLog', () => {
    const result = k8sAuditEvents(gke, CTX);
    expect(result.rejected).toEqual([]);
    expectStorable(result);
    expect(result.events[0]).toMatchObject({
      sourceEventId: gke.insertId,
      activity_id: 1,
      time: '2026-11-23T04:58:12.345Z',
      actor: { user: { name: 'ops@gov-prod.iam.gserviceaccount.com' } },
      src_endpoint: { ip: '10.20.30.40' },
      resources: [{ type: 'pods/exec', name: 'portal-api-5d8c7b9f4-x2k9q', namespace: 'gzdsj-portal' }],
      tenantId: 'tenant-of-gz-prod-1',
      raw: gke,
    });
    const denied = k8sAuditEvents({
      ...gke,
      protoPayload: {
        ...gke.protoPayload,
        methodName: 'io.k8s.authorization.rbac.v1.clusterrolebindings.delete',
        resourceName: 'rbac.authorization.k8s.io/v1/clusterrolebindings/ops-admin',
        status: { code: 7, message: 'PERMISSION_DENIED' },
      },
    });
    expect(denied.events[0]).toMatchObject({
      activity_id: 4,
      severity_id: 2,
      resources: [{ type: 'clusterrolebindings', name: 'ops-admin' }],
    });
  });

  test('GKE entry without a timestamp is rejected at the rebuilt field', () => {
    const { timestamp: _t, ...noTime } = gke;
    expect(k8sAuditEvents([gke, noTime]).rejected.map(formatRejection)).toEqual([
      '[1].requestReceivedTimestamp: Invalid input: expected string, received undefined',
    ]);
  });

  // An AKS diagnostic-settings record: the Event is JSON text in properties.log.
  const aks = (event: Obj, category = 'kube-audit'): Obj => ({
    time: '2026-11-23T04:58:12.4000000Z',
    resourceId:
      '/SUBSCRIPTIONS/0A1B2C3D-0000-4000-8000-000000000000/RESOURCEGROUPS/RG-PROD/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-PROD',
    category,
    operationName: 'Microsoft.ContainerService/managedClusters/diagnosticLogs/Read',
    properties: { log: JSON.stringify(event), stream: 'stdout', pod: 'kube-apiserver-6d9c8b7f5-abcde' },
  });

  test('AKS records (alone or in an export `records` array) are unwrapped from properties.log', () => {
    const single = k8sAuditEvents(aks(EXEC), CTX);
    expectStorable(single);
    expect(single.events[0]).toMatchObject({
      sourceEventId: EXEC['auditID'],
      resources: [{ type: 'pods/exec' }],
    });
    expect(single.events[0]!.raw).toEqual(aks(EXEC));

    const exported = k8sAuditEvents(
      {
        records: [
          aks(RECEIVED),
          aks(FORBIDDEN, 'kube-audit-admin'),
          aks(LIST_NODES, 'kube-apiserver'),
          { ...aks(EXEC), properties: { log: '{"kind":"Ev' } },
          { ...aks(EXEC), properties: { log: { kind: 'Event' } } },
        ],
      },
      CTX,
    );
    expect(exported.events.map((e) => e.sourceEventId)).toEqual([FORBIDDEN['auditID']]);
    // RequestReceived and the non-audit category are skipped.
    expect(exported.skipped).toBe(2);
    expect(exported.rejected.map(formatRejection)).toEqual([
      'records[3].properties.log: not valid JSON',
      'records[4].properties.log: expected the audit Event as JSON text',
    ]);
  });
});
