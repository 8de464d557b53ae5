/**
 * Sigma rule evaluation alone (`SigmaRuleSet.match`, one core, no ingest or store): 100 rules (the
 * shipped pack plus generated Kubernetes-audit rules of every modifier kind, as bench/detection.ts
 * loads them) against Kubernetes audit events, ~1 % of which hit a rule.
 * Prints one JSON line: rules, events, eventsPerSec, matches.
 *   npx tsc -p tsconfig.build.json && node dist/bench/sigma.js
 */
import { fileURLToPath } from 'node:url';
import { loadRulePack } from '../server/detection/rule-pack.js';
import { SigmaRuleSet, type EventLogsource } from '../server/detection/sigma/rule-set.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const DISTINCT = 20_000;
const RULES = 100;
// tsc copies no YAML into dist/, so read the pack from the source tree.
const PACK_DIR = fileURLToPath(new URL('../../server/detection/rules/', import.meta.url));
const AUDIT: EventLogsource = { product: 'kubernetes', service: 'audit' };

const RESOURCES = ['pods', 'deployments', 'configmaps', 'services', 'secrets', 'events', 'leases', 'nodes'];
const VERBS = ['get', 'list', 'watch', 'update', 'patch', 'create', 'delete'];
const USERS = [
  'system:serviceaccount:kube-system:deployment-controller',
  'system:kube-scheduler',
  'zhang.wei@gov.cn',
  'ci-bot',
];

/** Extra rules, a quarter each of equality, startswith, contains and regular expression matching. */
function generatedRule(i: number): string {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const kinds = [
    `    objectRef.resource: never-${i}\n    verb: create`,
    `    requestURI|startswith: /apis/bench.yunshu.io/v${i}/`,
    `    user.username|contains: intruder-${i}`,
    `    objectRef.name|re: '^bench-${i}-[0-9]+$'`,
  ];
  return `title: Bench rule ${i}\nid: ${id}\nstatus: test\nlevel: low\nlogsource:\n  product: kubernetes\n  service: audit\ndetection:\n  selection:\n${kinds[i % 4]}\n  condition: selection\n`;
}

/** The audit Event as `sigmaView` hands it to the rules; every 100th one is an allowed pod exec. */
function auditEvent(seq: number): Record<string, unknown> {
  const hit = seq % 100 === 0;
  const resource = hit ? 'pods' : RESOURCES[seq % RESOURCES.length]!;
  const namespace = `ns-${seq % 50}`;
  const name = `${resource}-${seq % 997}`;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `bench-${seq}`,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/${namespace}/${resource}/${name}${hit ? '/exec?command=sh' : ''}`,
    verb: hit ? 'create' : VERBS[seq % VERBS.length],
    user: { username: USERS[seq % USERS.length], groups: ['system:authenticated'] },
    sourceIPs: ['10.0.0.8'],
    userAgent: 'kubectl/v1.30.1',
    objectRef: { resource, namespace, name, apiVersion: 'v1', ...(hit ? { subresource: 'exec' } : {}) },
    responseStatus: { metadata: {}, code: hit ? 101 : 200 },
    requestReceivedTimestamp: '2026-11-23T04:58:12.123456Z',
    stageTimestamp: '2026-11-23T04:58:12.123456Z',
  };
}

async function main(): Promise<void> {
  const set = new SigmaRuleSet();
  for (const file of await loadRulePack(PACK_DIR)) {
    if (!file.path.startsWith('correlations/')) set.add(file.yaml);
  }
  for (let i = set.size; i < RULES; i++) set.add(generatedRule(i));

  const events = Array.from({ length: DISTINCT }, (_, i) => auditEvent(i + 1));
  let matches = 0;
  const run = (count: number): void => {
    for (let i = 0; i < count; i++) matches += set.match(events[i % DISTINCT]!, AUDIT).length;
  };
  run(Math.min(EVENTS, 100_000)); // warm-up: let V8 optimise the predicates first
  matches = 0;
  const started = performance.now();
  run(EVENTS);
  const seconds = (performance.now() - started) / 1000;
  const figures = {
    bench: 'sigma',
    rules: set.size,
    events: EVENTS,
    eventsPerSec: Math.round(EVENTS / seconds),
    matches,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
