// Trivy-operator reports (test/fixtures/trivy, Apache-2.0, see test/fixtures/README.md) normalised to SecurityEvents.
import {
  formatRejection,
  sigmaLogsource,
  sigmaView,
  trivyEvents,
  trivySeverity,
} from '../../server/ingest/normalize/index.js';
import { expectStorable, fixture } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are read by path; the assertions check shapes
type Json = Record<string, any>;
const load = (name: string): Json => JSON.parse(fixture(`trivy/${name}`)) as Json;

const COREDNS = load('vulnerabilityreport-replicaset-coredns.json');
const CONFIG_NGINX = load('configauditreport-replicaset-nginx.json');
// The published samples below leave out what the API server sets; a stored report always has it.
const withCreation = (report: Json): Json => ({
  ...report,
  metadata: { ...report['metadata'], creationTimestamp: '2026-11-23T04:10:00Z' },
});
const VULN_NGINX = withCreation(load('vulnerabilityreport-replicaset-nginx.json'));
const CONFIG_POD = withCreation(load('configauditreport-pod-my-pod.json'));

const ctx = {
  clusterId: 'gz-prod-1',
  tenantOf: (_c: string, ns: string) => (ns === 'default' ? 'tenant-gzdsj' : undefined),
};

describe('trivyEvents: VulnerabilityReport', () => {
  test('one Vulnerability Finding per vulnerability, located by the report labels', () => {
    const result = trivyEvents(COREDNS, ctx);
    expect(result.rejected).toEqual([]);
    expect(result.events).toHaveLength(1);
    expectStorable(result);
    const [event] = result.events;
    expect(event).toMatchObject({
      source: 'trivy',
      class_uid: 2002,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200_201,
      severity_id: 4,
      time: '2022-12-08T15:50:37.000Z',
      message:
        'CVE-2021-3121 (HIGH) in github.com/gogo/protobuf v1.3.1 of k8s.gcr.io/coredns/coredns:v1.8.0, fixed in 1.3.2',
      metadata: {
        product: { name: 'Trivy', vendor_name: 'Aqua Security', version: '0.35.0' },
        version: '1.3.0',
        uid: '66e3e613-9655-4330-aee7-45e283be2339',
        original_time: '2022-12-08T15:50:37Z',
      },
      finding_info: {
        uid: 'CVE-2021-3121',
        title: 'gogo/protobuf: plugin/unmarshal/unmarshal.go lacks certain index validation',
      },
      resources: [
        { type: 'image', name: 'k8s.gcr.io/coredns/coredns:v1.8.0' },
        { type: 'replicasets', name: 'coredns-558bd4d5db', namespace: 'kube-system' },
      ],
      k8s: {
        clusterId: 'gz-prod-1',
        namespace: 'kube-system',
        workloadKind: 'ReplicaSet',
        workloadName: 'coredns-558bd4d5db',
        container: 'coredns',
      },
    });
    // kube-system is not mapped to a tenant: the finding stays unowned rather than guessed.
    expect(event).not.toHaveProperty('tenantId');
    expect(event!.raw).toEqual(COREDNS);
  });

  test('raw is the report narrowed to its one finding; the tenant follows the namespace', () => {
    const result = trivyEvents(VULN_NGINX, ctx);
    expect(result.events).toHaveLength(2);
    expectStorable(result);
    const [first, second] = result.events;
    expect(first).toMatchObject({
      severity_id: 5,
      tenantId: 'tenant-gzdsj',
      time: '2026-11-23T04:10:00.000Z',
      // An empty title falls back to the CVE id.
      finding_info: { uid: 'CVE-2019-20367', title: 'CVE-2019-20367' },
      resources: [{ type: 'image', name: 'index.docker.io/library/nginx:1.16' }, { type: 'replicasets' }],
    });
    expect(second!.message).toBe(
      'CVE-2018-25009 (CRITICAL) in libwebp6 0.6.1-2 of index.docker.io/library/nginx:1.16, no fix yet',
    );
    const raw = second!.raw as Json;
    expect(raw['report']['vulnerabilities']).toEqual([VULN_NGINX['report']['vulnerabilities'][1]]);
    expect(raw['report']['summary']).toEqual(VULN_NGINX['report']['summary']);
    expect(raw['metadata']).toEqual(VULN_NGINX['metadata']);
  });

  test('the dedup key survives a re-scan but tells clusters, packages and targets apart', () => {
    const keys = (payload: unknown, clusterId = 'gz-prod-1') =>
      trivyEvents(payload, { clusterId }).events.map((e) => e.sourceEventId);
    const [one, two] = keys(VULN_NGINX);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(one).not.toBe(two);
    // trivy-operator replaces the report on a re-scan: new uid, new time, findings in another order.
    const rescan = {
      ...VULN_NGINX,
      metadata: { ...VULN_NGINX['metadata'], uid: 'f0e1d2c3-0000-4000-8000-000000000001' },
      report: {
        ...VULN_NGINX['report'],
        updateTimestamp: '2026-11-24T04:10:00Z',
        vulnerabilities: [...VULN_NGINX['report']['vulnerabilities']].reverse(),
      },
    };
    expect(keys(rescan)).toEqual([two, one]);
    expect(keys(VULN_NGINX, 'gy-city-1')).not.toContain(one);
    const vuln = VULN_NGINX['report']['vulnerabilities'][0] as Json;
    const elsewhere = (change: Json) => ({
      ...VULN_NGINX,
      report: { ...VULN_NGINX['report'], vulnerabilities: [{ ...vuln, ...change }] },
    });
    expect(keys(elsewhere({ resource: 'libbsd-dev' }))[0]).not.toBe(one);
    expect(keys(elsewhere({ target: 'usr/local/bin/app' }))[0]).not.toBe(one);
    // Still vulnerable after an upgrade: the same open finding.
    expect(keys(elsewhere({ installedVersion: '0.9.1-2+deb10u0' }))[0]).toBe(one);
  });

  test.each([
    ['CRITICAL', 5],
    ['HIGH', 4],
    ['MEDIUM', 3],
    ['LOW', 2],
    ['NONE', 1],
    ['UNKNOWN', 0],
    ['Bogus', 0],
  ])('severity %s → severity_id %d', (severity, id) => {
    expect(trivySeverity(severity)).toBe(id);
  });
});

describe('trivyEvents: ConfigAuditReport', () => {
  test('one Compliance Finding per failed check; passed checks are skipped', () => {
    const result = trivyEvents(CONFIG_NGINX, ctx);
    expect(result.rejected).toEqual([]);
    expect(result.skipped).toBe(3);
    expectStorable(result);
    expect(result.events.map((e) => [e.finding_info!.uid, e.severity_id])).toEqual([
      ['notReadOnlyRootFilesystem', 2],
      ['privilegeEscalationAllowed', 5],
    ]);
    expect(result.events[1]).toMatchObject({
      class_uid: 2003,
      type_uid: 200_301,
      time: '2021-05-20T12:38:10.000Z',
      message: 'privilegeEscalationAllowed (CRITICAL): Privilege escalation should not be allowed',
      // The sample spells the scanner `Trivy ` with a trailing space.
      metadata: { product: { name: 'Trivy', vendor_name: 'Aqua Security', version: '0.72.0' } },
      finding_info: { types: ['Security'] },
      resources: [{ type: 'replicasets', name: 'nginx-6d4cf56db6', namespace: 'default' }],
      k8s: { clusterId: 'gz-prod-1', namespace: 'default', workloadKind: 'ReplicaSet' },
      tenantId: 'tenant-gzdsj',
    });
    expect(result.events[1]!.k8s).not.toHaveProperty('container');
  });

  test('title, description and remediation of current KSV checks', () => {
    const result = trivyEvents(CONFIG_POD, ctx);
    expect(result.rejected).toEqual([]);
    expect(result.events).toHaveLength(13);
    expectStorable(result);
    expect(result.events.find((e) => e.finding_info!.uid === 'KSV014')).toMatchObject({
      severity_id: 4,
      message:
        "KSV014 (HIGH) Root file system is not read-only: Container 'app' of Pod 'my-pod' should set 'securityContext.readOnlyRootFilesystem' to true",
      finding_info: {
        title: 'Root file system is not read-only',
        desc: expect.stringMatching(
          /^An immutable root file system .*\n\nRemediation: Change 'containers\[\]\.securityContext\.readOnlyRootFilesystem' to 'true'\.$/s,
        ),
        types: ['Kubernetes Security Check'],
      },
      resources: [{ type: 'pods', name: 'my-pod', namespace: 'default' }],
      k8s: { workloadKind: 'Pod', workloadName: 'my-pod' },
    });
  });
});

describe('trivyEvents: shapes and bad input', () => {
  const expected = trivyEvents([COREDNS, CONFIG_NGINX], ctx).events;

  test.each([
    [
      'a typed list',
      {
        apiVersion: 'aquasecurity.github.io/v1alpha1',
        kind: 'VulnerabilityReportList',
        items: [COREDNS, CONFIG_NGINX],
      },
    ],
    ['a kubectl List', { apiVersion: 'v1', kind: 'List', items: [COREDNS, CONFIG_NGINX] }],
    ['NDJSON', `${JSON.stringify(COREDNS)}\n\n${JSON.stringify(CONFIG_NGINX)}\n`],
    ['JSON text of an array', JSON.stringify([COREDNS, CONFIG_NGINX])],
  ])('%s gives the same events as an array', (_shape, payload) => {
    const result = trivyEvents(payload, ctx);
    expect(result.rejected).toEqual([]);
    expect(result.events).toEqual(expected);
  });

  test('bad reports and bad findings are reported by index and path; the good ones still come back', () => {
    const vulns = VULN_NGINX['report']['vulnerabilities'] as Json[];
    const result = trivyEvents(
      {
        kind: 'List',
        items: [
          { ...COREDNS, kind: 'RbacAssessmentReport' },
          { ...COREDNS, metadata: { ...COREDNS['metadata'], name: undefined, labels: { a: 1 } } },
          {
            ...VULN_NGINX,
            report: {
              ...VULN_NGINX['report'],
              vulnerabilities: [
                { ...vulns[0], severity: 9 },
                { ...vulns[1], vulnerabilityID: undefined },
                vulns[1],
              ],
            },
          },
          {
            ...CONFIG_NGINX,
            report: {
              ...CONFIG_NGINX['report'],
              checks: [{ checkID: 'x', severity: 'LOW', success: 'no' }, 'oops'],
            },
          },
          load('configauditreport-pod-my-pod.json'),
          { ...COREDNS, report: { ...COREDNS['report'], updateTimestamp: '2022-12-32T00:00:00Z' } },
          COREDNS,
        ],
      },
      ctx,
    );
    expect(result.rejected.map(formatRejection)).toEqual([
      'items[0].kind: Invalid option: expected one of "VulnerabilityReport"|"ConfigAuditReport"',
      'items[1].metadata.name: Invalid input: expected string, received undefined',
      'items[1].metadata.labels.a: Invalid input: expected string, received number',
      'items[2].report.vulnerabilities[0].severity: Invalid input: expected string, received number',
      'items[2].report.vulnerabilities[1].vulnerabilityID: Invalid input: expected string, received undefined',
      'items[3].report.checks[0].success: Invalid input: expected boolean, received string',
      'items[3].report.checks[1]: Invalid input: expected object, received string',
      'items[4].report.updateTimestamp: a report needs report.updateTimestamp or metadata.creationTimestamp',
      'items[5].report.updateTimestamp: not a valid timestamp',
    ]);
    expect(result.rejected.map((r) => r.index)).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 5]);
    expect(result.events.map((e) => e.finding_info!.uid)).toEqual(['CVE-2018-25009', 'CVE-2021-3121']);
  });

  test('unreadable records and values the model refuses are rejected, not thrown', () => {
    expect(trivyEvents('{"kind": "VulnerabilityReport"\n42').rejected.map(formatRejection)).toEqual([
      '[0]: not valid JSON',
      '[1]: Invalid input: expected object, received number',
    ]);
    const longNamespace = {
      ...COREDNS,
      metadata: {
        ...COREDNS['metadata'],
        labels: { ...COREDNS['metadata']['labels'], 'trivy-operator.resource.namespace': 'x'.repeat(300) },
      },
    };
    expect(trivyEvents(longNamespace, ctx).rejected.map(formatRejection)).toEqual([
      '[0].report.vulnerabilities[0]→event.resources[1].namespace: Too big: expected string to have <=253 characters',
      '[0].report.vulnerabilities[0]→event.k8s.namespace: Too big: expected string to have <=253 characters',
    ]);
  });
});

describe('Sigma view of trivy findings', () => {
  test('the finding fields beside the report metadata and artifact', () => {
    const [event] = trivyEvents(COREDNS, ctx).events;
    const view = sigmaView(event!);
    expect(view).toMatchObject({
      kind: 'VulnerabilityReport',
      vulnerabilityID: 'CVE-2021-3121',
      severity: 'HIGH',
      resource: 'github.com/gogo/protobuf',
      artifact: { repository: 'coredns/coredns' },
      metadata: { namespace: 'kube-system' },
    });
    expect(sigmaLogsource(event!)).toEqual({ product: 'trivy' });
  });
});
