/**
 * Security telemetry of the demo fleet, in the sources' own formats (audit.k8s.io/v1 Events, Falco
 * JSON alerts), about the simulator's real pods and nodes, so the events go through the same
 * receivers, rules, alerts and incidents as production telemetry. Three attack stories play out,
 * among a trickle of ordinary control-plane traffic:
 *  1. exec into a portal pod, a shell in it, then secret reads by the same user (gz-prod-x86);
 *  2. a privileged pod created by a deploy service account (gy-city-phytium);
 *  3. a crypto-miner in a pod on an arm64 Kunpeng node, talking to a mining pool (gz-prod-kunpeng).
 * Every event names the demo (user agent `yunshu-demo`, Falco tag `yunshu_demo`): demo data, never
 * mistaken for a real attack.
 */
import { randomUUID } from 'node:crypto';
import type { DemoFleet, K8sObject } from './types.js';

export interface DemoTelemetry {
  clusterId: string;
  source: 'k8s-audit' | 'falco';
  /** The payload as the source would POST it (NDJSON for audit, one alert per line for Falco). */
  payload: string;
}

interface PodRef {
  clusterId: string;
  namespace: string;
  name: string;
  node: string;
  container: string;
  image: string;
}

const DEMO_AGENT = 'kubectl/v1.28.3 (linux/amd64) yunshu-demo';

function pickPod(fleet: DemoFleet, clusterId: string, namespace: string, nth: number): PodRef | undefined {
  let pods: K8sObject[] = [];
  if (!fleet.clusters.some((c) => c.spec.id === clusterId)) return undefined;
  fleet.mutate(clusterId, 'pods', (h) => {
    pods = h
      .list()
      .filter((p) => p.metadata.namespace === namespace && (p.spec as { nodeName?: string })?.nodeName);
  });
  const pod = pods[nth % Math.max(1, pods.length)];
  if (!pod) return undefined;
  const spec = pod.spec as { nodeName: string; containers: { name: string; image: string }[] };
  return {
    clusterId,
    namespace,
    name: pod.metadata.name,
    node: spec.nodeName,
    container: spec.containers[0]?.name ?? 'app',
    image: spec.containers[0]?.image ?? 'unknown',
  };
}

let seq = 0;
const uid = (): string => randomUUID();

function audit(at: number, fields: Record<string, unknown>): Record<string, unknown> {
  const time = new Date(at).toISOString();
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: uid(),
    stage: 'ResponseComplete',
    sourceIPs: ['10.8.20.15'],
    userAgent: DEMO_AGENT,
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: time,
    stageTimestamp: new Date(at + 12).toISOString(),
    ...fields,
  };
}

function falco(
  at: number,
  pod: PodRef,
  rule: string,
  priority: string,
  fields: Record<string, unknown>,
  text: string,
) {
  const [repository, tag = 'latest'] = pod.image.split(/:(?=[^/]+$)/);
  return {
    uuid: uid(),
    time: new Date(at).toISOString(),
    rule,
    priority,
    source: 'syscall',
    hostname: pod.node,
    tags: ['container', 'mitre_execution', 'yunshu_demo'],
    output: `${new Date(at).toISOString().slice(11, 23)}: ${priority} ${text} (k8s.ns=${pod.namespace} k8s.pod=${pod.name})`,
    output_fields: {
      'container.id': `c0${(++seq * 7919).toString(16).padStart(10, '0')}`.slice(0, 12),
      'container.name': pod.container,
      'container.image.repository': repository,
      'container.image.tag': tag,
      'k8s.ns.name': pod.namespace,
      'k8s.pod.name': pod.name,
      'user.name': 'root',
      'user.uid': 0,
      ...fields,
    },
  };
}

const ndjson = (records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n');

/** Ordinary control-plane reads and writes: what most audit traffic is, and no rule should fire on it. */
export function routineTraffic(fleet: DemoFleet, at: number): DemoTelemetry[] {
  return fleet.clusters.map((cluster, i) => ({
    clusterId: cluster.spec.id,
    source: 'k8s-audit',
    payload: ndjson([
      audit(at, {
        verb: 'list',
        requestURI: '/api/v1/pods?limit=500',
        user: {
          username: 'system:serviceaccount:kube-system:yunshu-collector',
          groups: ['system:serviceaccounts'],
        },
        objectRef: { resource: 'pods', apiVersion: 'v1' },
      }),
      audit(at + 100, {
        verb: 'update',
        requestURI: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-${i}`,
        user: { username: `system:node:${cluster.spec.id}-node-${i}`, groups: ['system:nodes'] },
        objectRef: {
          resource: 'leases',
          namespace: 'kube-node-lease',
          name: `node-${i}`,
          apiGroup: 'coordination.k8s.io',
          apiVersion: 'v1',
        },
      }),
    ]),
  }));
}

/** Story 1: exec into a portal pod, a shell there, then the namespace's secrets read by the same user. */
export function execThenSecrets(fleet: DemoFleet, at: number, round: number): DemoTelemetry[] {
  const pod = pickPod(fleet, 'gz-prod-x86', 'gzdsj-portal', round);
  if (!pod) return [];
  const user = { username: 'li.ming@gzdsj.gov.cn', groups: ['system:authenticated', 'gzdsj:developers'] };
  const secrets = ['portal-db-credentials', 'portal-oss-accesskey', 'portal-sm2-signing-key'];
  return [
    {
      clusterId: pod.clusterId,
      source: 'k8s-audit',
      payload: ndjson([
        audit(at, {
          verb: 'create',
          requestURI: `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}/exec?command=sh&container=${pod.container}&stdin=true&tty=true`,
          user,
          objectRef: {
            resource: 'pods',
            subresource: 'exec',
            namespace: pod.namespace,
            name: pod.name,
            apiVersion: 'v1',
          },
          responseStatus: { metadata: {}, code: 101 },
        }),
        ...secrets.map((name, i) =>
          audit(at + 40_000 + i * 5_000, {
            verb: 'get',
            requestURI: `/api/v1/namespaces/${pod.namespace}/secrets/${name}`,
            user,
            objectRef: { resource: 'secrets', namespace: pod.namespace, name, apiVersion: 'v1' },
          }),
        ),
      ]),
    },
    {
      clusterId: pod.clusterId,
      source: 'falco',
      payload: ndjson([
        falco(
          at + 1_500,
          pod,
          'Terminal shell in container',
          'Notice',
          { 'proc.name': 'sh', 'proc.cmdline': 'sh', 'proc.pname': 'runc', 'proc.tty': 34816 },
          'A shell was spawned in a container with an attached terminal',
        ),
      ]),
    },
  ];
}

/** Story 2: a deploy service account creates a privileged pod. */
export function privilegedPod(fleet: DemoFleet, at: number, round: number): DemoTelemetry[] {
  const pod = pickPod(fleet, 'gy-city-phytium', 'gzgat-app', round);
  if (!pod) return [];
  const name = `debug-tools-${(round % 97).toString().padStart(2, '0')}`;
  return [
    {
      clusterId: pod.clusterId,
      source: 'k8s-audit',
      payload: ndjson([
        audit(at, {
          level: 'Request',
          verb: 'create',
          requestURI: `/api/v1/namespaces/${pod.namespace}/pods`,
          user: {
            username: `system:serviceaccount:${pod.namespace}:deployer`,
            groups: ['system:serviceaccounts'],
          },
          objectRef: { resource: 'pods', namespace: pod.namespace, name, apiVersion: 'v1' },
          responseStatus: { metadata: {}, code: 201 },
          requestObject: {
            kind: 'Pod',
            apiVersion: 'v1',
            metadata: { name, namespace: pod.namespace },
            spec: {
              nodeName: pod.node,
              hostPID: true,
              containers: [
                {
                  name: 'tools',
                  image: 'docker.io/library/busybox:1.36',
                  securityContext: { privileged: true },
                },
              ],
            },
          },
        }),
      ]),
    },
  ];
}

/** Story 3: a crypto-miner starts in a health-commission pod on an arm64 node and dials a pool. */
export function cryptoMiner(fleet: DemoFleet, at: number, round: number): DemoTelemetry[] {
  const pod = pickPod(fleet, 'gz-prod-kunpeng', 'gzwjw-health', round);
  if (!pod) return [];
  const cmdline =
    'xmrig -o stratum+tcp://pool.supportxmr.example:3333 -u 4A9xpK2mVtDemo -p x --donate-level 1';
  return [
    {
      clusterId: pod.clusterId,
      source: 'falco',
      payload: ndjson([
        falco(
          at,
          pod,
          'Detect crypto miners using the Stratum protocol',
          'Critical',
          {
            'proc.name': 'xmrig',
            'proc.cmdline': cmdline,
            'proc.exepath': '/tmp/.x/xmrig',
            'proc.pname': 'sh',
          },
          'Possible miner running',
        ),
        falco(
          at + 2_000,
          pod,
          'Detect outbound connections to common miner pool ports',
          'Warning',
          {
            'proc.name': 'xmrig',
            'proc.cmdline': cmdline,
            'fd.name': '10.244.3.17:41822->203.0.113.50:3333',
            'fd.rip': '203.0.113.50',
            'fd.rport': 3333,
            'fd.sip.name': 'pool.supportxmr.example',
          },
          'Outbound connection to a mining pool',
        ),
      ]),
    },
  ];
}

export const ATTACK_STORIES = [execThenSecrets, privilegedPod, cryptoMiner] as const;
