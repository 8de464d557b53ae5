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
import { auditEvent, generatedRule } from './audit-workload.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const DISTINCT = 20_000;
const RULES = 100;
// tsc copies no YAML into dist/, so read the pack from the source tree.
const PACK_DIR = fileURLToPath(new URL('../../server/detection/rules/', import.meta.url));
const AUDIT: EventLogsource = { product: 'kubernetes', service: 'audit' };

async function main(): Promise<void> {
  const set = new SigmaRuleSet();
  for (const file of await loadRulePack(PACK_DIR)) {
    if (!file.path.startsWith('correlations/')) set.add(file.yaml);
  }
  for (let i = set.size; i < RULES; i++) set.add(generatedRule(i));

  const events = Array.from({ length: DISTINCT }, (_, i) =>
    auditEvent(i + 1, { hitEvery: 100, time: '2026-11-23T04:58:12.123456Z', idPrefix: 'bench-' }),
  );
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
