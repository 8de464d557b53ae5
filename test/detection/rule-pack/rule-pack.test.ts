// The shipped rule pack (server/detection/rules) against its fixtures. Each fixture is a raw audit
// Event or Falco alert; it takes the product's path (normaliser → sigmaView / sigmaLogsource →
// SigmaRuleSet.match with every pack rule loaded), and must hit its own rule (match/) or not
// (nomatch/). Any other pack rule a fixture hits must be listed in ALSO_HITS, so overlaps between
// rules are deliberate and visible.
import { readFileSync, readdirSync } from 'node:fs';
import { loadRulePack } from '../../../server/detection/rule-pack.js';
import { SigmaRuleSet } from '../../../server/detection/sigma/rule-set.js';
import {
  falcoEvents,
  k8sAuditEvents,
  sigmaLogsource,
  sigmaView,
  type NormalizeResult,
} from '../../../server/ingest/normalize/index.js';
import { isCorrelation, sourceOf, stemOf } from './helpers.js';

const FIXTURES = new URL('../../fixtures/rule-pack/', import.meta.url);

const NORMALISERS: Record<string, (payload: unknown) => NormalizeResult> = {
  'kubernetes-audit': k8sAuditEvents,
  falco: falcoEvents,
};

/** Fixture (`<stem>/<match|nomatch>/<file>`) → other pack rules it rightly hits, and why. */
const ALSO_HITS: Record<string, string[]> = {
  // Denied attempts are the forbidden-request rule's business, not the action rule's.
  'pod-exec-or-attach/nomatch/exec-forbidden.json': ['request-forbidden'],
  'anonymous-request-allowed/nomatch/anonymous-lists-pods-forbidden.json': ['request-forbidden'],
  'pod-port-forward/nomatch/port-forward-forbidden.json': ['request-forbidden'],
  // `kubectl debug node/...` shares the host namespaces and mounts the node's / as hostPath.
  'pod-host-namespaces/match/kubectl-debug-node-pod.json': ['pod-hostpath-volume'],
  // An interactive shell that only looks for a miner is still an interactive shell.
  'crypto-miner-process/nomatch/shell-checks-for-xmrig.json': ['terminal-shell-in-container'],
  // A miner dropped into a container is also container drift.
  'crypto-miner-process/match/xmrig-binary.json': ['container-drift'],
  // apk and dpkg running inside a container are the package-manager rule's, whatever Falco rule reported them.
  'mining-pool-connection/nomatch/public-https-mirror.json': ['package-manager-in-container'],
  'write-below-etc-or-bin/nomatch/dpkg-writes-below-usr-bin.json': ['package-manager-in-container'],
};

const pack = (await loadRulePack()).filter((file) => !isCorrelation(file));
const rules = new SigmaRuleSet();
const stemById = new Map<string, string>();
for (const file of pack) stemById.set(rules.add(file.yaml).id!, stemOf(file));

const listJson = (dir: URL): string[] => {
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
};

const fixtures = pack.flatMap((file) =>
  (['match', 'nomatch'] as const).flatMap((kind) =>
    listJson(new URL(`${stemOf(file)}/${kind}/`, FIXTURES)).map((name) => ({
      file,
      kind,
      name: `${stemOf(file)}/${kind}/${name}`,
    })),
  ),
);

function hitsOf(name: string, source: string): string[] {
  const normalise = NORMALISERS[source];
  if (!normalise) throw new Error(`no normaliser for rule folder "${source}"`);
  const result = normalise(JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as unknown);
  expect(result.rejected).toEqual([]);
  expect(result.events).toHaveLength(1);
  const event = result.events[0]!;
  return rules.match(sigmaView(event), sigmaLogsource(event)).map((id) => stemById.get(id)!);
}

describe('shipped rule pack', () => {
  test('every rule parses and compiles into one rule set under a unique id and file name', () => {
    expect(pack.length).toBeGreaterThanOrEqual(20);
    expect(rules.size).toBe(pack.length);
    expect(new Set(pack.map(stemOf)).size).toBe(pack.length);
    expect(new Set(pack.map(sourceOf))).toEqual(new Set(Object.keys(NORMALISERS)));
  });

  test.each(pack.map((file) => [file.path, file] as const))(
    '%s has match and nomatch fixtures',
    (_path, file) => {
      const names = fixtures.filter((f) => f.file === file);
      expect(names.filter((f) => f.kind === 'match').length).toBeGreaterThanOrEqual(1);
      expect(names.filter((f) => f.kind === 'nomatch').length).toBeGreaterThanOrEqual(1);
    },
  );

  test('every fixture folder and ALSO_HITS entry belongs to a rule of the pack', () => {
    const stems = new Set(pack.map(stemOf));
    const folders = readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(folders.map((e) => e.name).filter((name) => !stems.has(name))).toEqual([]);
    const names = new Set(fixtures.map((f) => f.name));
    expect(Object.keys(ALSO_HITS).filter((name) => !names.has(name))).toEqual([]);
    expect(
      Object.values(ALSO_HITS)
        .flat()
        .filter((stem) => !stems.has(stem)),
    ).toEqual([]);
  });

  test.each(fixtures.map((f) => [f.name, f] as const))('%s', (name, { file, kind }) => {
    const own = kind === 'match' ? [stemOf(file)] : [];
    const expected = [...own, ...(ALSO_HITS[name] ?? [])].sort();
    expect(hitsOf(name, sourceOf(file)).sort()).toEqual(expected);
  });
});
