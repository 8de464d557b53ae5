/**
 * The Trivy-operator report puller against a mocked API server (undici MockAgent, as the other
 * collector tests: client-node's requests go through undici, which nock cannot see).
 */
import { readFileSync } from 'node:fs';
import type { NewSecurityEvent } from '../../../server/ingest/normalize/index.js';
import {
  SecurityReportsPuller,
  type SecurityReportsOptions,
} from '../../../collectors/kubernetes/security-reports.js';
import { mockCluster } from './mock-cluster.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are read by path; the assertions check shapes
type Json = Record<string, any>;
const load = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../fixtures/trivy/${name}`, import.meta.url), 'utf8')) as Json;

const COREDNS = load('vulnerabilityreport-replicaset-coredns.json');
const CONFIG_NGINX = load('configauditreport-replicaset-nginx.json');
const at = (report: Json, resourceVersion: string, uid?: string): Json => ({
  ...report,
  metadata: { ...report['metadata'], resourceVersion, ...(uid ? { uid } : {}) },
});

const API = '/apis/aquasecurity.github.io/v1alpha1';
const json = { headers: { 'content-type': 'application/json' } };
/** MockAgent may reorder query parameters, so requests are matched on parsed ones. */
const list =
  (resource: string, cont?: string) =>
  (path: string): boolean => {
    const url = new URL(path, 'http://x');
    return url.pathname === `${API}/${resource}` && url.searchParams.get('continue') === (cont ?? null);
  };
const page = (items: Json[], cont?: string) => ({
  apiVersion: 'aquasecurity.github.io/v1alpha1',
  kind: 'List',
  metadata: { resourceVersion: '900', ...(cont ? { continue: cont } : {}) },
  items,
});
const notFound = {
  kind: 'Status',
  code: 404,
  reason: 'NotFound',
  message: 'the server could not find the requested resource',
};

function setup(options: SecurityReportsOptions = {}) {
  const { kc, pool, agent } = mockCluster();
  const sunk: NewSecurityEvent[][] = [];
  const logs: Array<[string, string, Json]> = [];
  const logger = {
    info: (fields: Json, msg: string) => logs.push(['info', msg, fields]),
    warn: (fields: Json, msg: string) => logs.push(['warn', msg, fields]),
  } as unknown as SecurityReportsOptions['logger'];
  let failSink = false;
  const puller = new SecurityReportsPuller(
    'gz-prod-1',
    kc,
    async (events) => {
      if (failSink) throw new Error('store unavailable');
      sunk.push(events);
    },
    { logger, tenantOf: (_c, ns) => (ns === 'default' ? 'tenant-gzdsj' : undefined), ...options },
  );
  return {
    puller,
    pool,
    agent,
    sunk,
    logs,
    failSinkOnce: () => (failSink = true),
    healSink: () => (failSink = false),
  };
}

describe('SecurityReportsPuller', () => {
  test('lists both resources page by page and sinks their findings, located in the cluster', async () => {
    const { puller, pool, agent, sunk } = setup({ pageSize: 1 });
    pool
      .intercept({ path: list('vulnerabilityreports') })
      .reply(200, page([at(COREDNS, '10')], 'next'), json);
    pool
      .intercept({ path: list('vulnerabilityreports', 'next') })
      .reply(200, page([at(load('vulnerabilityreport-replicaset-nginx.json'), '11')]), json);
    pool.intercept({ path: list('configauditreports') }).reply(200, page([at(CONFIG_NGINX, '12')]), json);

    const summary = await puller.pull();
    await agent.close();

    // The nginx sample has no timestamps (the API server adds them): its findings are rejected.
    expect(summary).toEqual({
      vulnerabilityreports: { state: 'present', changed: 2, events: 1, rejected: 1 },
      configauditreports: { state: 'present', changed: 1, events: 2, rejected: 0 },
    });
    expect(sunk.map((batch) => batch.map((e) => e.finding_info!.uid))).toEqual([
      ['CVE-2021-3121'],
      ['notReadOnlyRootFilesystem', 'privilegeEscalationAllowed'],
    ]);
    expect(sunk[1]![0]).toMatchObject({
      source: 'trivy',
      k8s: { clusterId: 'gz-prod-1', namespace: 'default', workloadName: 'nginx-6d4cf56db6' },
      tenantId: 'tenant-gzdsj',
    });
  });

  test('later passes deliver only new or changed reports, and forget deleted ones', async () => {
    const { puller, pool, agent, sunk } = setup();
    const vulns = (...items: Json[]) =>
      pool.intercept({ path: list('vulnerabilityreports') }).reply(200, page(items), json);
    const configs = () =>
      pool.intercept({ path: list('configauditreports') }).reply(200, page([at(CONFIG_NGINX, '12')]), json);
    vulns(at(COREDNS, '10'));
    configs();
    await puller.pull();
    vulns(at(COREDNS, '10'));
    configs();
    const unchanged = await puller.pull();
    vulns(at(COREDNS, '20'));
    configs();
    await puller.pull();
    vulns(); // the report was deleted…
    configs();
    await puller.pull();
    vulns(at(COREDNS, '20')); // …and is back (same uid, same version): delivered again
    configs();
    await puller.pull();
    await agent.close();

    expect(unchanged.vulnerabilityreports.changed).toBe(0);
    expect(unchanged.configauditreports.changed).toBe(0);
    const vulnBatches = sunk.filter((batch) => batch[0]!.class_uid === 2002);
    expect(vulnBatches).toHaveLength(3);
    // A re-scan (new resourceVersion) of the same finding keeps its dedup key.
    expect(new Set(vulnBatches.map((batch) => batch[0]!.sourceEventId)).size).toBe(1);
  });

  test('a missing CRD is "source absent", logged once, while the other resource is still pulled', async () => {
    const { puller, pool, agent, sunk, logs } = setup();
    for (let i = 0; i < 2; i++) {
      pool.intercept({ path: list('vulnerabilityreports') }).reply(404, notFound, json);
      pool.intercept({ path: list('configauditreports') }).reply(200, page([at(CONFIG_NGINX, '12')]), json);
    }
    const first = await puller.pull();
    const second = await puller.pull();
    // trivy-operator gets installed.
    pool.intercept({ path: list('vulnerabilityreports') }).reply(200, page([at(COREDNS, '10')]), json);
    pool.intercept({ path: list('configauditreports') }).reply(200, page([at(CONFIG_NGINX, '12')]), json);
    const third = await puller.pull();
    await agent.close();

    expect([first, second].map((s) => s.vulnerabilityreports)).toEqual([
      { state: 'absent', changed: 0, events: 0, rejected: 0 },
      { state: 'absent', changed: 0, events: 0, rejected: 0 },
    ]);
    expect(third.vulnerabilityreports).toMatchObject({ state: 'present', events: 1 });
    expect(
      logs.filter(([, , f]) => f['resource'] === 'vulnerabilityreports').map(([level, msg]) => [level, msg]),
    ).toEqual([
      ['info', 'trivy-operator not installed (CRD absent); source absent'],
      ['info', 'trivy reports readable'],
    ]);
    expect(sunk.flat().map((e) => e.class_uid)).toEqual([2003, 2003, 2002]);
  });

  test('errors and a failing sink are logged once per change; the reports are retried next pass', async () => {
    const { puller, pool, agent, sunk, logs, failSinkOnce, healSink } = setup();
    const forbidden = {
      kind: 'Status',
      code: 403,
      reason: 'Forbidden',
      message: 'vulnerabilityreports is forbidden',
    };
    for (let i = 0; i < 3; i++) {
      pool.intercept({ path: list('vulnerabilityreports') }).reply(403, forbidden, json);
      pool.intercept({ path: list('configauditreports') }).reply(200, page([at(CONFIG_NGINX, '12')]), json);
    }
    failSinkOnce();
    const first = await puller.pull();
    const second = await puller.pull();
    healSink();
    const third = await puller.pull();
    await agent.close();

    expect(first).toEqual({
      vulnerabilityreports: {
        state: 'failing',
        changed: 0,
        events: 0,
        rejected: 0,
        error: 'vulnerabilityreports is forbidden',
      },
      configauditreports: {
        state: 'failing',
        changed: 1,
        events: 2,
        rejected: 0,
        error: 'store unavailable',
      },
    });
    expect(second.configauditreports.state).toBe('failing');
    // Not delivered while the sink failed, so the unchanged report is handed on once it works.
    expect(third.configauditreports).toEqual({ state: 'present', changed: 1, events: 2, rejected: 0 });
    expect(sunk).toHaveLength(1);
    expect(logs.map(([level, msg, f]) => [level, f['resource'], msg])).toEqual([
      ['warn', 'vulnerabilityreports', 'trivy reports cannot be listed; retrying every interval'],
      ['warn', 'configauditreports', 'trivy reports cannot be listed; retrying every interval'],
      ['info', 'configauditreports', 'trivy reports readable'],
    ]);
  });

  test('rejected findings are logged with the report they came from', async () => {
    const { puller, pool, agent, logs } = setup();
    const broken = at(COREDNS, '10');
    broken['report'] = { ...broken['report'], vulnerabilities: [{ severity: 'HIGH' }] };
    pool.intercept({ path: list('vulnerabilityreports') }).reply(200, page([broken]), json);
    pool.intercept({ path: list('configauditreports') }).reply(200, page([]), json);
    await puller.pull();
    await agent.close();
    expect(logs.find(([level]) => level === 'warn')).toEqual([
      'warn',
      'trivy report findings rejected',
      {
        clusterId: 'gz-prod-1',
        resource: 'vulnerabilityreports',
        rejected: 1,
        problems: [
          'kube-system/replicaset-coredns-558bd4d5db-coredns [0].report.vulnerabilities[0].vulnerabilityID: Invalid input: expected string, received undefined',
        ],
      },
    ]);
  });

  test('start() pulls at once and again after the interval, delivering unchanged reports once', async () => {
    const { puller, pool, agent, sunk } = setup({ intervalMs: 1 });
    let lists = 0;
    const secondPass = new Promise<void>((resolve) => {
      pool
        .intercept({ path: list('vulnerabilityreports') })
        .reply(() => {
          if (++lists === 2) resolve();
          return { statusCode: 200, data: page([at(COREDNS, '10')]), responseOptions: json };
        })
        .persist();
    });
    pool
      .intercept({ path: list('configauditreports') })
      .reply(200, page([]), json)
      .persist();
    puller.start();
    await secondPass;
    await puller.stop();
    await agent.close();
    expect(sunk.map((batch) => batch.map((e) => e.finding_info!.uid))).toEqual([['CVE-2021-3121']]);
  });
});
