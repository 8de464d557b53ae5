import nock from 'nock';
import type { PromClient } from '../../../collectors/prometheus/client.js';
import {
  HistoryParameterError,
  MAX_POINTS,
  UsageHistory,
  type HistoryRequest,
} from '../../../collectors/prometheus/history.js';
import { queries } from '../../../collectors/prometheus/queries.js';
import { PROM_URL, testClient, useNock } from './fake-prometheus.js';

useNock();

const FROM = new Date('2025-06-01T00:00:00Z');
const HOUR = new Date('2025-06-01T01:00:00Z');

function history(): UsageHistory {
  const clients = new Map<string, PromClient>([['gz-1', testClient().client]]);
  return new UsageHistory((clusterId) => clients.get(clusterId));
}

const request = (overrides: Partial<HistoryRequest> = {}): HistoryRequest => ({
  clusterId: 'gz-1',
  metric: 'node_cpu',
  target: 'gz-n1',
  from: FROM,
  to: HOUR,
  step: 60,
  ...overrides,
});

async function parameterError(overrides: Partial<HistoryRequest>): Promise<HistoryParameterError> {
  const error: unknown = await history()
    .history(request(overrides))
    .catch((err: unknown) => err);
  expect(error).toBeInstanceOf(HistoryParameterError);
  return error as HistoryParameterError;
}

describe('UsageHistory', () => {
  test('runs the metric’s range query for the target and keeps raw values', async () => {
    nock(PROM_URL)
      .get('/api/v1/query_range')
      .query({
        query: queries.nodeCpuUtilisation('gz-n1'),
        start: '1748736000',
        end: '1748739600',
        step: '60',
        timeout: '10000ms',
      })
      .reply(200, {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { node: 'gz-n1' },
              values: [
                [1748736000, 'NaN'],
                [1748736060, '0.42'],
              ],
            },
          ],
        },
      });
    const result = await history().history(request());
    expect(result).toEqual({
      clusterId: 'gz-1',
      metric: 'node_cpu',
      target: 'gz-n1',
      unit: 'ratio',
      from: '2025-06-01T00:00:00.000Z',
      to: '2025-06-01T01:00:00.000Z',
      step: 60,
      series: [
        {
          labels: { node: 'gz-n1' },
          samples: [
            { time: '2025-06-01T00:00:00.000Z', value: NaN, raw: 'NaN' },
            { time: '2025-06-01T00:01:00.000Z', value: 0.42, raw: '0.42' },
          ],
        },
      ],
      warnings: [],
    });
  });

  test('a namespace metric filters on the namespace', async () => {
    nock(PROM_URL)
      .get('/api/v1/query_range')
      .query(
        (q) =>
          q.query ===
          'sum by (namespace) (container_memory_working_set_bytes{container!="",container!="POD",namespace="gzdsj-prod"})',
      )
      .reply(200, { status: 'success', data: { resultType: 'matrix', result: [] } });
    const result = await history().history(request({ metric: 'namespace_memory', target: 'gzdsj-prod' }));
    expect(result).toMatchObject({ unit: 'bytes', series: [] });
  });

  test(`refuses more than ${MAX_POINTS} points, naming step, before asking Prometheus`, async () => {
    const month = new Date(FROM.getTime() + 30 * 86_400_000);
    const error = await parameterError({ to: month, step: 60 });
    expect(error.parameter).toBe('step');
    expect(error.message).toBe(
      "step: 60 s over 2592000 s gives 43200 points, more than Prometheus' 11000; use a step of at least 236 s or a shorter range",
    );
  });

  test(`accepts exactly ${MAX_POINTS} points`, async () => {
    nock(PROM_URL)
      .get('/api/v1/query_range')
      .query(true)
      .reply(200, { status: 'success', data: { resultType: 'matrix', result: [] } });
    const to = new Date(FROM.getTime() + MAX_POINTS * 15_000);
    await expect(history().history(request({ to, step: 15 }))).resolves.toMatchObject({ series: [] });
  });

  test.each([
    [{ step: 0 }, 'step'],
    [{ step: Number.NaN }, 'step'],
    [{ to: new Date('2025-05-31T00:00:00Z') }, 'to'],
    [{ from: new Date('not a date') }, 'from'],
    [{ target: 'gz-n1"} or vector(1) #' }, 'target'],
    [{ metric: 'node_temperature' as HistoryRequest['metric'] }, 'metric'],
    [{ clusterId: 'gz-9' }, 'clusterId'],
  ])('rejects %j naming %s', async (overrides, parameter) => {
    expect((await parameterError(overrides)).parameter).toBe(parameter);
  });
});
