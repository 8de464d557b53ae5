import nock from 'nock';
import { PrometheusDriver } from 'prometheus-query';
import { PromQueryError } from '../../../collectors/prometheus/client.js';
import { reviveSample } from '../../../collectors/prometheus/sample.js';
import { PROM_URL, T0, errorBody, testClient, useNock, vectorBody } from './fake-prometheus.js';

useNock();

const UP = { __name__: 'up', job: 'node', instance: '10.0.0.1:9100' };

// An Error instance: nock 15 leaves the request hanging when given a plain object.
const networkError = (code: string, message: string) => Object.assign(new Error(message), { code });

async function rejection(promise: Promise<unknown>): Promise<PromQueryError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(PromQueryError);
  return error as PromQueryError;
}

describe('PromClient envelope', () => {
  test('decodes a vector: labels, ISO time, number and raw value', async () => {
    nock(PROM_URL)
      .get('/api/v1/query')
      .query((q) => q.query === 'up' && q.time === '1748764800.123')
      .reply(
        200,
        vectorBody([
          { metric: UP, value: '1' },
          { metric: { ...UP, instance: '10.0.0.2:9100' }, value: '0' },
        ]),
      );
    const { client } = testClient();
    const response = await client.instant('up', { time: new Date(T0 * 1000) });

    expect(response).toEqual({
      series: [
        { labels: UP, sample: { time: '2025-06-01T08:00:00.123Z', value: 1, raw: '1' } },
        {
          labels: { ...UP, instance: '10.0.0.2:9100' },
          sample: { time: '2025-06-01T08:00:00.123Z', value: 0, raw: '0' },
        },
      ],
      warnings: [],
      infos: [],
      attempts: 1,
    });
  });

  test('a scalar result is one series without labels', async () => {
    nock(PROM_URL)
      .get('/api/v1/query')
      .query(true)
      .reply(200, { status: 'success', data: { resultType: 'scalar', result: [T0, '2.5'] } });
    const { client } = testClient();
    const { series } = await client.instant('vector(1) * 2.5');
    expect(series).toEqual([
      { labels: {}, sample: { time: '2025-06-01T08:00:00.123Z', value: 2.5, raw: '2.5' } },
    ]);
  });

  test('sends a bearer token', async () => {
    nock(PROM_URL, { reqheaders: { authorization: 'Bearer s3cret' } })
      .get('/api/v1/query')
      .query(true)
      .reply(200, vectorBody([]));
    const { client } = testClient({ auth: { type: 'bearer', token: 's3cret' } });
    await expect(client.instant('up')).resolves.toMatchObject({ series: [] });
  });

  test('sends basic auth', async () => {
    const basic = `Basic ${Buffer.from('yunshu:pa:ss').toString('base64')}`;
    nock(PROM_URL, { reqheaders: { authorization: basic } })
      .get('/api/v1/query')
      .query(true)
      .reply(200, vectorBody([]));
    const { client } = testClient({ auth: { type: 'basic', username: 'yunshu', password: 'pa:ss' } });
    await expect(client.instant('up')).resolves.toMatchObject({ series: [] });
  });

  test('surfaces warnings and infos from the body, and tells onWarnings', async () => {
    const warnings = ['PromQL warning: encountered a mix of histograms and floats for metric name "x"'];
    nock(PROM_URL)
      .get('/api/v1/query')
      .query(true)
      .reply(200, vectorBody([{ metric: UP, value: '1' }], { warnings, infos: ['PromQL info: x'] }));
    const seen: [readonly string[], string][] = [];
    const { client } = testClient({ onWarnings: (w, query) => seen.push([w, query]) });
    const response = await client.instant('up');
    expect(response.warnings).toEqual(warnings);
    expect(response.infos).toEqual(['PromQL info: x']);
    expect(seen).toEqual([[warnings, 'up']]);
  });

  test('a 200 that is not a Prometheus envelope is bad_response, not retried', async () => {
    nock(PROM_URL).get('/api/v1/query').query(true).reply(200, '<html>login</html>');
    const { client, waits } = testClient();
    const error = await rejection(client.instant('up'));
    expect(error).toMatchObject({ status: 200, errorType: 'bad_response', attempts: 1 });
    expect(waits).toEqual([]);
  });
});

describe('PromClient special float values', () => {
  const body = vectorBody([
    { metric: { le: '+Inf' }, value: '+Inf' },
    { metric: { le: 'low' }, value: '-Inf' },
    { metric: { ratio: 'zero/zero' }, value: 'NaN' },
    { metric: { small: 'yes' }, value: '1e-7' },
  ]);

  test('+Inf, -Inf and NaN become Infinity, -Infinity and NaN, with raw kept', async () => {
    nock(PROM_URL).get('/api/v1/query').query(true).reply(200, body);
    const { client } = testClient();
    const samples = (await client.instant('q')).series.map((s) => s.sample);
    expect(samples.map((s) => s.value)).toEqual([Infinity, -Infinity, NaN, 1e-7]);
    expect(samples.map((s) => s.raw)).toEqual(['+Inf', '-Inf', 'NaN', '1e-7']);
  });

  test('JSON loses the numbers but keeps raw, and reviveSample restores them', async () => {
    nock(PROM_URL).get('/api/v1/query').query(true).reply(200, body);
    const { client } = testClient();
    const samples = (await client.instant('q')).series.map((s) => s.sample);

    const stored: unknown = JSON.parse(JSON.stringify(samples));
    expect(stored).toEqual([
      { time: '2025-06-01T08:00:00.123Z', value: null, raw: '+Inf' },
      { time: '2025-06-01T08:00:00.123Z', value: null, raw: '-Inf' },
      { time: '2025-06-01T08:00:00.123Z', value: null, raw: 'NaN' },
      { time: '2025-06-01T08:00:00.123Z', value: 1e-7, raw: '1e-7' },
    ]);
    expect((stored as unknown[]).map(reviveSample)).toEqual(samples);
  });

  test('reviveSample rejects a raw value that is not a number', () => {
    expect(() => reviveSample({ time: '2025-06-01T08:00:00.123Z', value: null, raw: 'lots' })).toThrow(
      /not a number/,
    );
  });

  // Why the wrapper decodes responses itself; if a library upgrade fixes these, the wrapper can shrink.
  test('prometheus-query alone turns +Inf into NaN and loses the status of a non-JSON error', async () => {
    nock(PROM_URL).get('/api/v1/query').query(true).reply(200, body);
    nock(PROM_URL)
      .get('/api/v1/query')
      .query(true)
      .reply(502, 'Bad Gateway', { 'content-type': 'text/html' });
    const driver = new PrometheusDriver({ endpoint: PROM_URL, baseURL: '/api/v1/' });
    const { result } = await driver.instantQuery('q');
    expect(result[0].value.value).toBeNaN();
    const thrown: unknown = await driver.instantQuery('q').catch((err: unknown) => err);
    expect(thrown).toMatchObject({ errorType: 'client_error' });
    expect(thrown).not.toHaveProperty('httpStatus');
  });
});

describe('PromClient errors and retries', () => {
  test('retries a 503 with back-off, then succeeds', async () => {
    nock(PROM_URL)
      .get('/api/v1/query')
      .query(true)
      .times(2)
      .reply(503, errorBody('unavailable', 'too many queries'))
      .get('/api/v1/query')
      .query(true)
      .reply(200, vectorBody([{ metric: UP, value: '1' }]));
    const { client, waits } = testClient();
    const response = await client.instant('up');
    expect(response.attempts).toBe(3);
    expect(response.series).toHaveLength(1);
    // random() = 0.5 of a ceiling that doubles from 100 ms.
    expect(waits).toEqual([50, 100]);
  });

  test('keeps status 503 and errorType after the last retry', async () => {
    nock(PROM_URL)
      .get('/api/v1/query')
      .query(true)
      .times(4)
      .reply(503, errorBody('timeout', 'query timed out in expression evaluation'));
    const { client, waits } = testClient();
    const error = await rejection(client.instant('up'));
    expect(error).toMatchObject({ status: 503, errorType: 'timeout', attempts: 4, query: 'up' });
    expect(error.message).toMatch(/query timed out/);
    expect(waits).toHaveLength(3);
  });

  test('does not retry 400 bad_data, and keeps the status and errorType', async () => {
    const scope = nock(PROM_URL)
      .get('/api/v1/query')
      .query(true)
      .reply(400, errorBody('bad_data', '1:5: parse error: unexpected <EOF>'));
    const { client, waits } = testClient();
    const error = await rejection(client.instant('sum('));
    expect(error).toMatchObject({ status: 400, errorType: 'bad_data', attempts: 1, query: 'sum(' });
    expect(error.retryable).toBe(false);
    expect(waits).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  test('does not retry 422 execution errors', async () => {
    nock(PROM_URL)
      .get('/api/v1/query')
      .query(true)
      .reply(422, errorBody('execution', 'many-to-many matching not allowed'));
    const { client } = testClient();
    await expect(client.instant('a * b')).rejects.toMatchObject({
      status: 422,
      errorType: 'execution',
      attempts: 1,
    });
  });

  test('honours Retry-After on 429, even on a plain-text body', async () => {
    nock(PROM_URL)
      .get('/api/v1/query')
      .query(true)
      .reply(429, 'slow down', { 'retry-after': '2' })
      .get('/api/v1/query')
      .query(true)
      .reply(200, vectorBody([]));
    const { client, waits } = testClient();
    const response = await client.instant('up');
    expect(response.attempts).toBe(2);
    expect(waits).toEqual([2_000]);
  });

  test('gives up at once when Retry-After is longer than it may wait, keeping 429 and the delay', async () => {
    nock(PROM_URL).get('/api/v1/query').query(true).reply(429, 'slow down', { 'retry-after': '120' });
    const { client, waits } = testClient({ retry: { maxRetryAfterMs: 60_000 } });
    const error = await rejection(client.instant('up'));
    expect(error).toMatchObject({ status: 429, errorType: 'http', retryAfterMs: 120_000, attempts: 1 });
    expect(waits).toEqual([]);
  });

  test('keeps the status of a proxy error page (non-JSON 502)', async () => {
    nock(PROM_URL)
      .get('/api/v1/query')
      .query(true)
      .times(2)
      .reply(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' });
    const { client } = testClient({ retry: { retries: 1 } });
    const error = await rejection(client.instant('up'));
    expect(error).toMatchObject({ status: 502, errorType: 'http', attempts: 2 });
    expect(error.message).toMatch(/Bad Gateway/);
  });

  test('retries a refused connection', async () => {
    nock(PROM_URL)
      .get('/api/v1/query')
      .query(true)
      .replyWithError(networkError('ECONNREFUSED', 'connect ECONNREFUSED'))
      .get('/api/v1/query')
      .query(true)
      .reply(200, vectorBody([]));
    const { client } = testClient();
    await expect(client.instant('up')).resolves.toMatchObject({ attempts: 2 });
  });

  test('a network error that outlasts the retries has no status and keeps its code', async () => {
    nock(PROM_URL)
      .get('/api/v1/query')
      .query(true)
      .times(2)
      .replyWithError(networkError('ECONNRESET', 'socket hang up'));
    const { client } = testClient({ retry: { retries: 1 } });
    const error = await rejection(client.instant('up'));
    expect(error).toMatchObject({ errorType: 'network', code: 'ECONNRESET', attempts: 2 });
    expect(error.status).toBeUndefined();
  });

  test('times out a slow answer, retries, and reports errorType timeout', async () => {
    nock(PROM_URL)
      .get('/api/v1/query')
      .query((q) => q.timeout === '100ms')
      .times(2)
      .delay(2_000)
      .reply(200, vectorBody([]));
    const { client, waits } = testClient({ timeoutMs: 100, retry: { retries: 1 } });
    const error = await rejection(client.instant('up'));
    expect(error).toMatchObject({ errorType: 'timeout', attempts: 2 });
    expect(error.status).toBeUndefined();
    expect(waits).toHaveLength(1);
  });

  test('stops when the caller aborts, without retrying', async () => {
    nock(PROM_URL).get('/api/v1/query').query(true).delay(2_000).reply(200, vectorBody([]));
    const { client, waits } = testClient();
    const abort = new AbortController();
    const pending = client.instant('up', { signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    const error = await rejection(pending);
    expect(error).toMatchObject({ errorType: 'canceled', attempts: 1 });
    expect(waits).toEqual([]);
  });
});
