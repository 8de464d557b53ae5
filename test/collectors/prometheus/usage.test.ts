import nock from 'nock';
import { PromQueryError } from '../../../collectors/prometheus/client.js';
import { USAGE_QUERIES } from '../../../collectors/prometheus/queries.js';
import type { Sample } from '../../../collectors/prometheus/sample.js';
import { UsageCollector, rollupByTenant, type UsageSnapshot } from '../../../collectors/prometheus/usage.js';
import {
  PROM_URL,
  T0,
  errorBody,
  paramOf,
  serveUsage,
  testClient,
  useNock,
  vectorBody,
} from './fake-prometheus.js';

useNock();

const AT = new Date(T0 * 1000);
const TIME = '2025-06-01T08:00:00.123Z';
const sample = (raw: string): Sample => ({ time: TIME, value: raw === 'NaN' ? NaN : Number(raw), raw });

describe('UsageCollector', () => {
  test('maps node and namespace series into one snapshot', async () => {
    serveUsage({
      nodeCpuUtilisation: [
        { metric: { node: 'gz-n1' }, value: '0.25' },
        { metric: { node: 'gz-n2' }, value: '0.5' },
      ],
      nodeMemoryUtilisation: [{ metric: { node: 'gz-n1' }, value: '0.6' }],
      nodeDiskUtilisation: [{ metric: { node: 'gz-n1' }, value: '0.7' }],
      nodeNetworkReceive: [{ metric: { node: 'gz-n1' }, value: '1024' }],
      nodeNetworkTransmit: [{ metric: { node: 'gz-n1' }, value: '2048' }],
      namespaceCpuCores: [
        { metric: { namespace: 'gzdsj-prod' }, value: '1.5' },
        { metric: { namespace: 'kube-system' }, value: '0.2' },
      ],
      namespaceMemoryBytes: [{ metric: { namespace: 'gzdsj-prod' }, value: '1073741824' }],
      namespaceRequests: [
        { metric: { namespace: 'gzdsj-prod', resource: 'cpu' }, value: '2' },
        { metric: { namespace: 'gzdsj-prod', resource: 'memory' }, value: '2147483648' },
      ],
      namespaceQuota: [
        { metric: { namespace: 'gzdsj-prod', resource: 'requests.cpu' }, value: '8' },
        // The older spelling of the same limit: the tighter one applies.
        { metric: { namespace: 'gzdsj-prod', resource: 'cpu' }, value: '4' },
        { metric: { namespace: 'gzdsj-prod', resource: 'limits.memory' }, value: '17179869184' },
        { metric: { namespace: 'gzdsj-prod', resource: 'pods' }, value: '50' },
        { metric: { namespace: 'gzdsj-prod', resource: 'services' }, value: '10' },
      ],
    });
    const { client } = testClient();
    const snapshot = await new UsageCollector('gz-1', client, () => AT).collect();

    expect(snapshot).toEqual({
      clusterId: 'gz-1',
      at: TIME,
      nodes: new Map([
        [
          'gz-n1',
          {
            cpuUtilisation: sample('0.25'),
            memoryUtilisation: sample('0.6'),
            diskUtilisation: sample('0.7'),
            networkReceiveBytesPerSecond: sample('1024'),
            networkTransmitBytesPerSecond: sample('2048'),
          },
        ],
        ['gz-n2', { cpuUtilisation: sample('0.5') }],
      ]),
      namespaces: new Map([
        [
          'gzdsj-prod',
          {
            cpuCores: sample('1.5'),
            memoryBytes: sample('1073741824'),
            requests: { cpuCores: sample('2'), memoryBytes: sample('2147483648') },
            quota: {
              requestsCpuCores: sample('4'),
              limitsMemoryBytes: sample('17179869184'),
              pods: sample('50'),
            },
          },
        ],
        ['kube-system', { cpuCores: sample('0.2') }],
      ]),
      warnings: [],
    });
  });

  test('without kube-state-metrics there are no requests or quota, and no error', async () => {
    serveUsage({
      nodeCpuUtilisation: [{ metric: { node: 'gz-n1' }, value: '0.1' }],
      namespaceCpuCores: [{ metric: { namespace: 'gzdsj-prod' }, value: '0.3' }],
    });
    const { client } = testClient();
    const snapshot = await new UsageCollector('gz-1', client, () => AT).collect();
    expect(snapshot.namespaces).toEqual(new Map([['gzdsj-prod', { cpuCores: sample('0.3') }]]));
    expect(snapshot.nodes).toEqual(new Map([['gz-n1', { cpuUtilisation: sample('0.1') }]]));
  });

  test('evaluates every query at the same instant', async () => {
    const times = new Set<string | null>();
    nock(PROM_URL)
      .persist()
      .get('/api/v1/query')
      .query(true)
      .reply((request: Request) => {
        times.add(paramOf(request, 'time'));
        return [200, vectorBody([])];
      });
    const { client } = testClient();
    await new UsageCollector('gz-1', client, () => AT).collect();
    expect([...times]).toEqual(['1748764800.123']);
  });

  test('warns about series without a node label instead of inventing a node', async () => {
    serveUsage({
      nodeMemoryUtilisation: [{ metric: {}, value: '0.4' }],
      nodeCpuUtilisation: [{ metric: { node: 'gz-n1' }, value: '0.1' }],
    });
    const { client } = testClient();
    const snapshot = await new UsageCollector('gz-1', client, () => AT).collect();
    expect([...snapshot.nodes.keys()]).toEqual(['gz-n1']);
    expect(snapshot.warnings).toEqual([
      'nodeMemoryUtilisation: a series has no "node" label and was left out; check the scrape relabelling',
    ]);
  });

  test('passes on Prometheus warnings', async () => {
    nock(PROM_URL)
      .persist()
      .get('/api/v1/query')
      .query(true)
      .reply(200, vectorBody([], { warnings: ['remote read of one store failed'] }));
    const { client } = testClient();
    const snapshot = await new UsageCollector('gz-1', client).collect();
    expect(snapshot.warnings).toEqual(['remote read of one store failed']);
  });

  test('a failing query fails the collection with its PromQueryError', async () => {
    nock(PROM_URL)
      .persist()
      .get('/api/v1/query')
      .query(true)
      .reply((request: Request) =>
        paramOf(request, 'query') === USAGE_QUERIES.namespaceQuota
          ? [422, errorBody('execution', 'found duplicate series for the match group')]
          : [200, vectorBody([])],
      );
    const { client } = testClient();
    const error: unknown = await new UsageCollector('gz-1', client).collect().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PromQueryError);
    expect(error).toMatchObject({ status: 422, errorType: 'execution', query: USAGE_QUERIES.namespaceQuota });
  });
});

describe('rollupByTenant', () => {
  const GZ2_URL = 'http://prometheus.gz-2.test:9090';
  const TENANTS: Record<string, string> = {
    'gz-1/gzdsj-prod': 'gzdsj',
    'gz-2/gzdsj-backup': 'gzdsj',
    'gz-2/gzga-web': 'gzga',
  };
  const tenantOf = (clusterId: string, namespace: string) => TENANTS[`${clusterId}/${namespace}`];

  test('sums a tenant whose namespaces span two clusters', async () => {
    serveUsage({
      namespaceCpuCores: [
        { metric: { namespace: 'gzdsj-prod' }, value: '1.5' },
        { metric: { namespace: 'kube-system' }, value: '0.5' },
      ],
      namespaceMemoryBytes: [{ metric: { namespace: 'gzdsj-prod' }, value: '1000' }],
      namespaceRequests: [{ metric: { namespace: 'gzdsj-prod', resource: 'cpu' }, value: '2' }],
      namespaceQuota: [
        { metric: { namespace: 'gzdsj-prod', resource: 'requests.cpu' }, value: '4' },
        { metric: { namespace: 'gzdsj-prod', resource: 'limits.memory' }, value: '8000' },
      ],
    });
    serveUsage(
      {
        namespaceCpuCores: [
          { metric: { namespace: 'gzdsj-backup' }, value: '0.25' },
          { metric: { namespace: 'gzga-web' }, value: 'NaN' },
        ],
        namespaceMemoryBytes: [
          { metric: { namespace: 'gzdsj-backup' }, value: '500' },
          { metric: { namespace: 'gzga-web' }, value: '300' },
        ],
        namespaceRequests: [{ metric: { namespace: 'gzdsj-backup', resource: 'cpu' }, value: '1' }],
        namespaceQuota: [{ metric: { namespace: 'gzdsj-backup', resource: 'requests.cpu' }, value: '2' }],
      },
      GZ2_URL,
    );
    const snapshots: UsageSnapshot[] = await Promise.all([
      new UsageCollector('gz-1', testClient().client).collect(),
      new UsageCollector('gz-2', testClient({ endpoint: GZ2_URL }).client).collect(),
    ]);

    expect(rollupByTenant(snapshots, tenantOf)).toEqual(
      new Map([
        [
          'gzdsj',
          {
            tenantId: 'gzdsj',
            cpuCores: 1.75,
            memoryBytes: 1500,
            requests: { cpuCores: 3 },
            // limits.memory is set in gz-1 only, so the tenant as a whole is unlimited there.
            quota: { requestsCpuCores: 6 },
            namespaces: 2,
            clusters: ['gz-1', 'gz-2'],
          },
        ],
        [
          'gzga',
          {
            tenantId: 'gzga',
            // NaN (no rate yet) is left out rather than poisoning the sum.
            cpuCores: 0,
            memoryBytes: 300,
            requests: {},
            quota: {},
            namespaces: 1,
            clusters: ['gz-2'],
          },
        ],
      ]),
    );
  });
});
