/**
 * nock helpers that answer like Prometheus' HTTP API (docs/querying/api.md: the JSON envelope,
 * values as strings, errors with errorType). nock patches Node's http module, which axios, and so
 * prometheus-query, sends through.
 */
import nock from 'nock';
import { PromClient, type PromClientOptions } from '../../../collectors/prometheus/client.js';
import { USAGE_QUERIES, type UsageQueryName } from '../../../collectors/prometheus/queries.js';

export const PROM_URL = 'http://prometheus.gz-1.test:9090';
/** 2025-06-01T08:00:00.123Z in Prometheus' float Unix seconds. */
export const T0 = 1748764800.123;

export interface FakeSeries {
  metric: Record<string, string>;
  value: string;
}

export function vectorBody(series: FakeSeries[], extra: { warnings?: string[]; infos?: string[] } = {}) {
  return {
    status: 'success',
    data: { resultType: 'vector', result: series.map((s) => ({ metric: s.metric, value: [T0, s.value] })) },
    ...extra,
  };
}

export function errorBody(errorType: string, error: string) {
  return { status: 'error', errorType, error };
}

/** Blocks real network access for the file and puts the http module back afterwards. */
export function useNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    // Also ends the timers of delayed replies a test timed out of.
    nock.abortPendingRequests();
    nock.cleanAll();
  });
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });
}

/** A client whose back-off is recorded instead of waited for. */
export function testClient(options: Partial<PromClientOptions> = {}): {
  client: PromClient;
  waits: number[];
} {
  const waits: number[] = [];
  const client = new PromClient({
    endpoint: PROM_URL,
    retry: { retries: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  return { client, waits };
}

/** A query parameter of the request a nock reply function receives (a fetch Request in nock 15). */
export const paramOf = (request: Request, name: string): string | null =>
  new URL(request.url).searchParams.get(name);

/** The usage query a request carries, by name; undefined for any other query. */
export function usageQueryOf(request: Request): UsageQueryName | undefined {
  const query = paramOf(request, 'query');
  return (Object.keys(USAGE_QUERIES) as UsageQueryName[]).find((name) => USAGE_QUERIES[name] === query);
}

/**
 * Answers the usage queries from `answers` (absent: an empty vector, as for a metric nobody
 * exports) for as long as the test runs; any other query gets Prometheus' 400 bad_data.
 */
export function serveUsage(
  answers: Partial<Record<UsageQueryName, FakeSeries[]>>,
  url = PROM_URL,
): nock.Scope {
  return nock(url)
    .persist()
    .get('/api/v1/query')
    .query(true)
    .reply((request: Request) => {
      const name = usageQueryOf(request);
      return name === undefined
        ? [400, errorBody('bad_data', 'unexpected query')]
        : [200, vectorBody(answers[name] ?? [])];
    });
}
