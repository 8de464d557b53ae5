/**
 * Trivy-operator reports (aquasecurity.github.io/v1alpha1) → one OCSF finding per problem:
 * - `VulnerabilityReport`: one Vulnerability Finding (class 2002) per entry of `vulnerabilities`;
 * - `ConfigAuditReport`: one Compliance Finding (class 2003) per failed check; passed checks are
 *   counted in `skipped`.
 *
 * Accepted shapes: a report, a list (`VulnerabilityReportList`, `ConfigAuditReportList`, or a mixed
 * `List` as `kubectl get -o json` prints it), an array of reports, or NDJSON. Rejection indexes are
 * report positions (list items flattened); paths name the finding, e.g.
 * `items[2].report.vulnerabilities[7].severity`. A bad finding drops only itself.
 *
 * Severity (CRITICAL/HIGH/MEDIUM/LOW/NONE/UNKNOWN) → severity_id 5/4/3/2/1/0, anything else 0.
 *
 * Where: the labels trivy-operator puts on every report (`trivy-operator.resource.kind/name/
 * namespace`, `trivy-operator.container.name`) fill `k8s` and a workload resource; the scanned image
 * is an `image` resource. The workload is the report's direct owner (a Deployment's pods show up as
 * their ReplicaSet), as trivy-operator names it.
 *
 * `raw` is the report narrowed to the one finding: evidence of which report said what, without
 * storing a report with hundreds of findings once per finding.
 */
import { z } from '../../model/common.js';
import {
  OCSF_VERSION,
  SourceTime,
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
  tenantFor,
  toModelTime,
  type NormalizeContext,
  type NormalizeResult,
  type Obj,
} from './common.js';
import { resourceOfKind } from './kube-event.js';

const SEVERITY: Record<string, 0 | 1 | 2 | 3 | 4 | 5> = {
  critical: 5,
  high: 4,
  medium: 3,
  low: 2,
  none: 1,
  unknown: 0,
};

export const trivySeverity = (severity: string): 0 | 1 | 2 | 3 | 4 | 5 =>
  SEVERITY[severity.toLowerCase()] ?? 0;

const Text = z.string().max(16_384);

const Report = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.enum(['VulnerabilityReport', 'ConfigAuditReport']),
  metadata: z.looseObject({
    name: z.string().min(1).max(253),
    namespace: z.string().min(1).max(253).optional(),
    uid: z.string().max(256).optional(),
    creationTimestamp: SourceTime.optional(),
    labels: z.record(z.string(), z.string()).default({}),
  }),
  report: z.looseObject({
    updateTimestamp: SourceTime.optional(),
    scanner: z
      .looseObject({
        name: z.string().max(256).optional(),
        vendor: z.string().max(256).optional(),
        version: z.string().max(64).optional(),
      })
      .default({}),
    registry: z.looseObject({ server: z.string().optional() }).default({}),
    artifact: z
      .looseObject({
        repository: z.string().optional(),
        tag: z.string().optional(),
        digest: z.string().optional(),
      })
      .default({}),
    // Findings are checked one by one, so one bad entry does not cost the others.
    vulnerabilities: z.array(z.unknown()).default([]),
    checks: z.array(z.unknown()).default([]),
  }),
});
type Report = z.infer<typeof Report>;

const Vulnerability = z.looseObject({
  vulnerabilityID: z.string().min(1).max(256),
  severity: z.string().min(1),
  resource: z.string().max(1024).optional(),
  installedVersion: z.string().max(256).optional(),
  fixedVersion: z.string().max(256).optional(),
  title: z.string().max(1024).optional(),
  description: Text.optional(),
  target: z.string().max(1024).optional(),
  score: z.number().optional(),
});
type Vulnerability = z.infer<typeof Vulnerability>;

const Check = z.looseObject({
  checkID: z.string().min(1).max(256),
  severity: z.string().min(1),
  success: z.boolean(),
  title: z.string().max(1024).optional(),
  description: Text.optional(),
  remediation: Text.optional(),
  category: z.string().max(256).optional(),
  messages: z.array(Text).default([]),
  // Older trivy-operator versions report one entry per container, told apart by scope.
  scope: z.looseObject({ type: z.string(), value: z.string() }).optional(),
});
type Check = z.infer<typeof Check>;

/** Where a report points, from trivy-operator's labels (the report's namespace as a fallback). */
function subjectOf(report: Report) {
  const labels = report.metadata.labels;
  return {
    kind: labels['trivy-operator.resource.kind'],
    name: labels['trivy-operator.resource.name'],
    namespace: labels['trivy-operator.resource.namespace'] ?? report.metadata.namespace,
    container: labels['trivy-operator.container.name'],
  };
}

const nonEmpty = (s: string | undefined): string | undefined => (s === '' ? undefined : s);

function imageOf(report: Report): string | undefined {
  const { registry, artifact } = report.report;
  if (artifact.repository === undefined) return undefined;
  const name =
    registry.server !== undefined ? `${registry.server}/${artifact.repository}` : artifact.repository;
  const tag = nonEmpty(artifact.tag);
  const digest = nonEmpty(artifact.digest);
  return digest !== undefined ? `${name}@${digest}` : tag !== undefined ? `${name}:${tag}` : name;
}

/** The report with its findings narrowed to one; its raw form, as received. */
function narrowed(received: Obj, list: 'vulnerabilities' | 'checks', finding: unknown): Obj {
  const report = isObj(received['report']) ? received['report'] : {};
  return { ...received, report: { ...report, [list]: [finding] } };
}

/** Fields every finding of a report shares. */
function sharedFields(report: Report, ctx: NormalizeContext, sourceTime: string) {
  const subject = subjectOf(report);
  const clusterId = ctx.clusterId;
  const scanner = report.report.scanner;
  return {
    source: 'trivy',
    time: toModelTime(sourceTime),
    metadata: compact({
      product: compact({
        name: nonEmpty(scanner.name?.trim()) ?? 'Trivy',
        vendor_name: nonEmpty(scanner.vendor?.trim()) ?? 'Aqua Security',
        version: scanner.version,
      }),
      version: OCSF_VERSION,
      uid: report.metadata.uid,
      original_time: sourceTime,
    }),
    workload:
      subject.kind !== undefined && subject.name !== undefined
        ? compact({ type: resourceOfKind(subject.kind), name: subject.name, namespace: subject.namespace })
        : undefined,
    k8s:
      clusterId !== undefined
        ? compact({
            clusterId,
            namespace: subject.namespace,
            workloadKind: subject.kind,
            workloadName: subject.name,
            container: subject.container,
          })
        : undefined,
    tenantId: tenantFor(ctx, clusterId, subject.namespace),
    // The dedup key's location part: which workload of which cluster the report is about.
    where: { cluster: clusterId, namespace: report.metadata.namespace, report: report.metadata.name },
  };
}

type Shared = ReturnType<typeof sharedFields>;

function vulnerabilityEvent(report: Report, base: Shared, v: Vulnerability, raw: Obj): object {
  const { workload, where, ...shared } = base;
  const image = imageOf(report);
  const fixed = nonEmpty(v.fixedVersion);
  const pkg = [v.resource, v.installedVersion].filter(Boolean).join(' ');
  return {
    ...shared,
    // Keyed by report name, not uid: trivy-operator replaces the report (new uid) on every re-scan,
    // while the name (<kind>-<workload>-<container>) stays. A re-scan that still finds the CVE in
    // the same package and target is the same finding, so its re-delivery dedups; the installed
    // version is left out so an upgrade that is still vulnerable stays the same open finding.
    sourceEventId: payloadDigest({ ...where, id: v.vulnerabilityID, package: v.resource, target: v.target }),
    ...ocsfIds(2002, 1),
    severity_id: trivySeverity(v.severity),
    message: `${v.vulnerabilityID} (${v.severity}) in ${pkg || 'an unnamed package'}${
      image !== undefined ? ` of ${image}` : ''
    }${fixed !== undefined ? `, fixed in ${fixed}` : ', no fix yet'}`,
    finding_info: compact({
      uid: v.vulnerabilityID,
      title: nonEmpty(v.title) ?? v.vulnerabilityID,
      desc: nonEmpty(v.description),
    }),
    resources: [
      ...(image !== undefined
        ? [compact({ type: 'image', name: image, uid: nonEmpty(report.report.artifact.digest) })]
        : []),
      ...(workload !== undefined ? [workload] : []),
    ],
    raw,
  };
}

function checkEvent(base: Shared, c: Check, raw: Obj): object {
  const { workload, where, ...shared } = base;
  const title = nonEmpty(c.title) ?? c.checkID;
  const desc = [nonEmpty(c.description), c.remediation && `Remediation: ${c.remediation}`]
    .filter(Boolean)
    .join('\n\n');
  return {
    ...shared,
    // Same reasoning as for vulnerabilities: stable across re-scans that still fail the check.
    sourceEventId: payloadDigest({ ...where, id: c.checkID, scope: c.scope?.value }),
    ...ocsfIds(2003, 1),
    severity_id: trivySeverity(c.severity),
    message: [`${c.checkID} (${c.severity})${title !== c.checkID ? ` ${title}` : ''}`, ...c.messages].join(
      ': ',
    ),
    finding_info: compact({
      uid: c.checkID,
      title,
      desc: desc || undefined,
      types: c.category !== undefined ? [c.category] : undefined,
    }),
    resources: workload !== undefined ? [workload] : [],
    raw,
  };
}

/** Reports in a payload, list items flattened, each with its path. */
const reportsOf = (payload: unknown): Located[] =>
  locateRecords(payload, (v) =>
    isObj(v) && typeof v['kind'] === 'string' && v['kind'].endsWith('List') && Array.isArray(v['items'])
      ? v['items'].map((value: unknown, i) => ({ at: `items[${i}]`, value }))
      : undefined,
  );

/** Normalises Trivy-operator reports (see the module comment for the accepted shapes). */
export function trivyEvents(payload: unknown, ctx: NormalizeContext = {}): NormalizeResult {
  const result = emptyResult();
  forEachValid(reportsOf(payload), Report, result, (report, index, record) => {
    const { at } = record;
    const sourceTime = report.report.updateTimestamp ?? report.metadata.creationTimestamp;
    if (sourceTime === undefined) {
      result.rejected.push({
        index,
        path: `${at}.report.updateTimestamp`,
        message: 'a report needs report.updateTimestamp or metadata.creationTimestamp',
      });
      return;
    }
    const received = record.value as Obj;
    const base = sharedFields(report, ctx, sourceTime);
    const list = report.kind === 'VulnerabilityReport' ? 'vulnerabilities' : 'checks';
    report.report[list].forEach((finding, j) => {
      const path = `${at}.report.${list}[${j}]`;
      const raw = narrowed(received, list, finding);
      if (list === 'vulnerabilities') {
        const v = Vulnerability.safeParse(finding);
        if (v.success) accept(result, index, `${path}→event`, vulnerabilityEvent(report, base, v.data, raw));
        else reject(result, index, path, v.error.issues);
        return;
      }
      const c = Check.safeParse(finding);
      if (!c.success) reject(result, index, path, c.error.issues);
      else if (c.data.success) result.skipped++;
      else accept(result, index, `${path}→event`, checkEvent(base, c.data, raw));
    });
  });
  return result;
}

/**
 * What a trivy SecurityEvent's finding looks like to Sigma rules: the finding's own fields
 * (`vulnerabilityID`, `severity`, `resource`, `checkID`, `success`…) beside the report's `kind`,
 * `metadata` (labels included), `artifact`, `registry`, `os` and `scanner`.
 */
export function trivyFindingOf(raw: unknown): Obj | undefined {
  if (!isObj(raw) || !isObj(raw['report'])) return undefined;
  const { vulnerabilities, checks, ...report } = raw['report'];
  const finding = [vulnerabilities, checks].find((l): l is unknown[] => Array.isArray(l))?.[0];
  return isObj(finding)
    ? {
        kind: raw['kind'],
        metadata: raw['metadata'],
        artifact: report['artifact'],
        registry: report['registry'],
        os: report['os'],
        scanner: report['scanner'],
        ...finding,
      }
    : undefined;
}
