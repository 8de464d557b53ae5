/**
 * The Kubernetes audit workload the detection benchmarks share: generated rules of every modifier
 * kind (to reach 100 with the shipped pack) and audit Events of which every `hitEvery`th is an
 * allowed pod exec, which the pack alerts on.
 */
const RESOURCES = ['pods', 'deployments', 'configmaps', 'services', 'secrets', 'events', 'leases', 'nodes'];
const VERBS = ['get', 'list', 'watch', 'update', 'patch', 'create', 'delete'];
const USERS = [
  'system:serviceaccount:kube-system:deployment-controller',
  'system:kube-scheduler',
  'zhang.wei@gov.cn',
  'ci-bot',
];

/** Rule `i`: a quarter each of equality, startswith, contains and regular expression matching. */
export function generatedRule(i: number): string {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const kinds = [
    `    objectRef.resource: never-${i}\n    verb: create`,
    `    requestURI|startswith: /apis/bench.yunshu.io/v${i}/`,
    `    user.username|contains: intruder-${i}`,
    `    objectRef.name|re: '^bench-${i}-[0-9]+$'`,
  ];
  return `title: Bench rule ${i}\nid: ${id}\nstatus: test\nlevel: low\ntags: [attack.discovery, attack.t1613]\nlogsource:\n  product: kubernetes\n  service: audit\ndetection:\n  selection:\n${kinds[i % 4]}\n  condition: selection\n`;
}

/** Audit Event number `seq`, stamped `time`, with `auditID` `${idPrefix}${seq}`. */
export function auditEvent(
  seq: number,
  options: { hitEvery: number; time: string; idPrefix: string },
): Record<string, unknown> {
  const hit = seq % options.hitEvery === 0;
  const resource = hit ? 'pods' : RESOURCES[seq % RESOURCES.length]!;
  const namespace = `ns-${seq % 50}`;
  const name = `${resource}-${seq % 997}`;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `${options.idPrefix}${seq}`,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/${namespace}/${resource}/${name}${hit ? '/exec?command=sh' : ''}`,
    verb: hit ? 'create' : VERBS[seq % VERBS.length],
    user: { username: USERS[seq % USERS.length], groups: ['system:authenticated'] },
    sourceIPs: ['10.0.0.8'],
    userAgent: 'kubectl/v1.30.1',
    objectRef: { resource, namespace, name, apiVersion: 'v1', ...(hit ? { subresource: 'exec' } : {}) },
    responseStatus: { metadata: {}, code: hit ? 101 : 200 },
    requestReceivedTimestamp: options.time,
    stageTimestamp: options.time,
  };
}
