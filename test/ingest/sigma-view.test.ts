// Normalised events evaluated by the Sigma engine through sigmaView: the rules name source fields.
import { SigmaRuleSet } from '../../server/detection/sigma/rule-set.js';
import {
  alertmanagerEvents,
  falcoEvents,
  k8sAuditEvents,
  sigmaLogsource,
  sigmaView,
} from '../../server/ingest/normalize/index.js';
import { fixture } from './helpers.js';

// Written in the style of SigmaHQ's rules/application/kubernetes/audit/ (kubernetes / audit logsource).
const POD_EXEC = `
title: Exec into a pod
id: 2b8f8e7a-3c51-4b0d-9d6e-0a1b2c3d4e5f
status: experimental
logsource:
  product: kubernetes
  service: audit
detection:
  selection:
    verb: create
    objectRef.resource: pods
    objectRef.subresource: exec
  filter_ci:
    user.username|startswith: 'system:serviceaccount:kube-system:'
  condition: selection and not filter_ci
level: medium
tags:
  - attack.execution
  - attack.t1609
`;

const SECRET_DENIED = `
title: Denied access to a secret
id: 5c1d7e9f-8a2b-4c3d-9e0f-1a2b3c4d5e6f
status: experimental
logsource:
  product: kubernetes
  service: audit
detection:
  selection:
    objectRef.resource: secrets
    responseStatus.code:
      - 401
      - 403
  condition: selection
level: low
`;

const FALCO_K8S = `
title: Falco critical alert in a namespace
id: 9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b
status: experimental
logsource:
  product: falco
detection:
  selection:
    priority: Critical
    k8s.ns.name: default
    fd.rip|cidr: 8.8.8.0/24
  condition: selection
level: high
`;

const rules = new SigmaRuleSet();
[POD_EXEC, SECRET_DENIED, FALCO_K8S].forEach((r) => rules.add(r));
const match = (events: ReturnType<typeof k8sAuditEvents>['events']) =>
  events.map((e) => rules.match(sigmaView(e), sigmaLogsource(e)));

describe('sigmaView', () => {
  const list = JSON.parse(fixture('k8s-audit/eventlist-webhook.json')) as {
    items: Record<string, unknown>[];
  };

  test('audit events expose the original Event fields to kubernetes/audit rules', () => {
    const { events } = k8sAuditEvents(list, { clusterId: 'gz-prod-1' });
    expect(sigmaView(events[0]!)).toEqual(list.items[1]);
    expect(match(events)).toEqual([
      ['2b8f8e7a-3c51-4b0d-9d6e-0a1b2c3d4e5f'],
      ['5c1d7e9f-8a2b-4c3d-9e0f-1a2b3c4d5e6f'],
      [],
    ]);
  });

  test('the Event is unwrapped from AKS and GKE payloads for the same rules', () => {
    const exec = list.items[1]!;
    const aks = { category: 'kube-audit', properties: { log: JSON.stringify(exec) } };
    const gke = {
      insertId: 'f00d',
      timestamp: '2026-11-23T04:58:12.345678Z',
      protoPayload: {
        authenticationInfo: { principalEmail: 'ops@gov-prod.iam.gserviceaccount.com' },
        methodName: 'io.k8s.core.v1.pods.exec.create',
        resourceName: 'core/v1/namespaces/gzdsj-portal/pods/web-0/exec',
      },
    };
    const { events } = k8sAuditEvents([aks, gke]);
    expect(sigmaView(events[0]!)).toEqual(exec);
    expect(sigmaView(events[1]!)).toMatchObject({
      verb: 'create',
      objectRef: { resource: 'pods', subresource: 'exec', namespace: 'gzdsj-portal', name: 'web-0' },
      user: { username: 'ops@gov-prod.iam.gserviceaccount.com' },
    });
    expect(match(events)).toEqual([
      ['2b8f8e7a-3c51-4b0d-9d6e-0a1b2c3d4e5f'],
      ['2b8f8e7a-3c51-4b0d-9d6e-0a1b2c3d4e5f'],
    ]);
  });

  test('Falco events expose output_fields keys plus rule and priority', () => {
    const { events } = falcoEvents(fixture('falco/falco-talon-examples.jsonl'));
    expect(sigmaView(events[2]!)).toMatchObject({
      rule: 'Test NetworkPolicy',
      priority: 'Critical',
      'k8s.ns.name': 'default',
      'k8s.pod.name': 'static-web',
      'fd.rip': '8.8.8.8',
    });
    expect(match(events).map((ids) => ids.length)).toEqual([0, 0, 1, 0, 0, 0]);
  });

  test('other sources expose the event itself', () => {
    const { events } = alertmanagerEvents({
      version: '4',
      alerts: [
        { status: 'firing', labels: { alertname: 'X' }, startsAt: '2026-11-23T05:00:00Z', fingerprint: 'ab' },
      ],
    });
    expect(sigmaView(events[0]!)).toEqual(events[0]);
    expect(sigmaLogsource(events[0]!)).toEqual({ product: 'alertmanager' });
  });
});
