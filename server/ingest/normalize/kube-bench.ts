/**
 * kube-bench `--json` output → one OCSF Compliance Finding (class 2003, activity 1 Create) per FAIL
 * or WARN result; PASS and INFO results are counted in `skipped`.
 *
 * Accepted shapes: `{"Controls": [...], "Totals": {...}}` (current kube-bench), one Controls object,
 * an array of Controls (older versions), or NDJSON of either. Rejection indexes are Controls
 * positions (flattened); paths name the result, e.g. `[0].Controls[1].tests[0].results[3].status`.
 *
 * severity_id: FAIL 3 Medium, WARN 2 Low (mostly manual checks kube-bench could not decide).
 *
 * kube-bench runs per node but does not write the node's name or a time into its output, so both
 * come from the context: `node` from the upload (e.g. the Job's node), `time` the scan or upload time.
 */
import { z } from '../../model/common.js';
import {
  OCSF_VERSION,
  accept,
  compact,
  emptyResult,
  isObj,
  ocsfIds,
  payloadDigest,
  reject,
  forEachValid,
  locateRecords,
  type Located,
  type NormalizeContext,
  type NormalizeResult,
  type Obj,
} from './common.js';

export interface KubeBenchContext extends NormalizeContext {
  /** Node the checks ran on. */
  node?: string;
  /** When the checks ran, as a model timestamp; default: now. */
  time?: string;
}

const Result = z.looseObject({
  test_number: z.string().min(1).max(256),
  test_desc: z.string().min(1).max(1024),
  status: z.enum(['PASS', 'FAIL', 'WARN', 'INFO']),
  remediation: z.string().max(16_384).optional(),
  scored: z.boolean().optional(),
});
type Result = z.infer<typeof Result>;

const Group = z.looseObject({
  section: z.string().min(1).max(256),
  desc: z.string().max(256).optional(),
  // Results are checked one by one, so one bad entry does not cost the others.
  results: z.array(z.unknown()).default([]),
});
type Group = z.infer<typeof Group>;

const Controls = z.looseObject({
  id: z.string().min(1).max(256),
  version: z.string().max(64).optional(),
  text: z.string().max(256).optional(),
  node_type: z.string().max(64).optional(),
  tests: z.array(Group).default([]),
});
type Controls = z.infer<typeof Controls>;

const SEVERITY = { FAIL: 3, WARN: 2 } as const;

/** The Controls narrowed to one group holding one result: the finding's `raw`, as received. */
function narrowed(received: Obj, groupIndex: number, result: unknown): Obj {
  const groups = Array.isArray(received['tests']) ? (received['tests'] as unknown[]) : [];
  const group = isObj(groups[groupIndex]) ? groups[groupIndex] : {};
  return { ...received, tests: [{ ...group, results: [result] }] };
}

function toEvent(
  controls: Controls,
  group: Group,
  r: Result & { status: 'FAIL' | 'WARN' },
  raw: Obj,
  ctx: KubeBenchContext,
): object {
  const { clusterId, node } = ctx;
  return {
    source: 'kube-bench',
    // Stable across runs, so tonight's run re-reporting yesterday's failure dedups. The benchmark
    // version is part of it because check numbers are only meaningful within one benchmark.
    sourceEventId: payloadDigest({
      cluster: clusterId,
      node,
      benchmark: controls.version,
      id: r.test_number,
    }),
    ...ocsfIds(2003, 1),
    severity_id: SEVERITY[r.status],
    time: ctx.time ?? new Date().toISOString(),
    message: `${r.status} ${r.test_number} ${r.test_desc}`,
    metadata: {
      product: { name: 'kube-bench', vendor_name: 'Aqua Security' },
      version: OCSF_VERSION,
    },
    finding_info: compact({
      uid: r.test_number,
      title: r.test_desc,
      desc: r.remediation,
      types: [controls.text, group.desc].filter((t): t is string => t !== undefined && t !== ''),
    }),
    resources: node !== undefined ? [{ type: 'nodes', name: node }] : [],
    k8s: clusterId !== undefined ? compact({ clusterId, node }) : undefined,
    raw,
  };
}

/** Controls objects in a payload, `Controls` wrappers flattened, each with its path. */
const controlsOf = (payload: unknown): Located[] =>
  locateRecords(payload, (v, index) =>
    isObj(v) && Array.isArray(v['Controls'])
      ? v['Controls'].map((value: unknown, i) => ({ at: `[${index}].Controls[${i}]`, value }))
      : undefined,
  );

/** Normalises kube-bench JSON output (see the module comment for the accepted shapes). */
export function kubeBenchEvents(payload: unknown, ctx: KubeBenchContext = {}): NormalizeResult {
  const result = emptyResult();
  forEachValid(controlsOf(payload), Controls, result, (controls, index, record) => {
    const { at } = record;
    controls.tests.forEach((group, g) => {
      group.results.forEach((value, k) => {
        const path = `${at}.tests[${g}].results[${k}]`;
        const r = Result.safeParse(value);
        if (!r.success) {
          reject(result, index, path, r.error.issues);
          return;
        }
        const { status } = r.data;
        if (status === 'PASS' || status === 'INFO') {
          result.skipped++;
          return;
        }
        const raw = narrowed(record.value as Obj, g, value);
        accept(result, index, `${path}→event`, toEvent(controls, group, { ...r.data, status }, raw, ctx));
      });
    });
  });
  return result;
}

/**
 * What a kube-bench SecurityEvent's result looks like to Sigma rules: the result's own fields
 * (`test_number`, `status`, `scored`, `actual_value`…) beside its Controls' `id`, `version`, `text`,
 * `node_type` and its group's `section` and `desc`.
 */
export function kubeBenchResultOf(raw: unknown): Obj | undefined {
  if (!isObj(raw) || !Array.isArray(raw['tests'])) return undefined;
  const group: unknown = raw['tests'][0];
  if (!isObj(group) || !Array.isArray(group['results']) || !isObj(group['results'][0])) return undefined;
  return {
    id: raw['id'],
    version: raw['version'],
    text: raw['text'],
    node_type: raw['node_type'],
    section: group['section'],
    desc: group['desc'],
    ...group['results'][0],
  };
}
