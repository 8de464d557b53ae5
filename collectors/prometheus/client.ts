/**
 * One cluster's Prometheus, through `prometheus-query` with the parts it gets wrong fixed here.
 *
 * What the library loses, and how we get it back (without forking it):
 * - It decodes values with parseFloat, so "+Inf"/"-Inf" become NaN; a decoder of its own fails
 *   on histogram-only series. We take the raw HTTP response through its response interceptor and
 *   decode the envelope ourselves (see sample.ts), keeping every value's `raw` token.
 * - A non-JSON error body (a proxy's 502 page, a plain-text 429) becomes "client_error" without
 *   the HTTP status, and Retry-After is never kept. The captured response still has both.
 * - Its warningHook reads `warnings` from the HTTP response instead of the JSON body, so it never
 *   fires. We read `warnings` and `infos` from the body.
 * - It throws plain objects; we throw PromQueryError, which keeps status, errorType and attempts.
 * - Its options have no TLS settings and no AbortSignal; its request interceptor sets both.
 */
import { Agent as HttpsAgent } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { PrometheusDriver, type PrometheusConnectionOptions } from 'prometheus-query';
import { sampleFromPair, type Sample } from './sample.js';

// The library's axios types, named through its own options so we need no direct axios dependency.
type RequestConfig = Parameters<
  NonNullable<PrometheusConnectionOptions['requestInterceptor']>['onFulfilled']
>[0];
type HttpResponse = Parameters<
  NonNullable<PrometheusConnectionOptions['responseInterceptor']>['onFulfilled']
>[0];

export type PromAuth =
  { type: 'bearer'; token: string } | { type: 'basic'; username: string; password: string };

/** For Prometheus behind a private government PKI. */
export interface PromTls {
  /** PEM CA certificate(s) to trust instead of the system roots. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Skips certificate verification; only for testing a cluster whose PKI is not set up yet. */
  insecureSkipVerify?: boolean;
  /** Name to verify the certificate against when the endpoint is an IP address. */
  serverName?: string;
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Ceiling of the first back-off; it doubles per retry (full jitter: the wait is random below it). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this fails at once (with `retryAfterMs` set) instead of waiting. */
  maxRetryAfterMs: number;
}

export interface PromClientOptions {
  /** Base URL of the Prometheus server, e.g. https://prometheus.gz-1.example:9090 (a path prefix is kept). */
  endpoint: string;
  auth?: PromAuth;
  tls?: PromTls;
  /** Deadline of one attempt, and the evaluation timeout sent to Prometheus. Default 10 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Called with the warnings of every successful response that has some. */
  onWarnings?: (warnings: readonly string[], query: string) => void;
  /** Waits between attempts; replaceable so tests can see the back-off without waiting for it. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

export type Labels = Readonly<Record<string, string>>;

export interface InstantSeries {
  labels: Labels;
  sample: Sample;
}

export interface RangeSeries {
  labels: Labels;
  samples: Sample[];
}

export interface QueryResponse<T> {
  series: T[];
  warnings: string[];
  infos: string[];
  /** Attempts it took, retries included. */
  attempts: number;
}

export interface PromQueryErrorFields {
  message: string;
  query: string;
  attempts: number;
  /** HTTP status when the server answered. */
  status?: number;
  /**
   * Prometheus' errorType (bad_data, execution, timeout, canceled, unavailable, internal, …) when it
   * sent one; otherwise ours: timeout (our deadline), canceled (our signal), network, tls, http
   * (a non-Prometheus error response, e.g. a proxy's), bad_response (unreadable success response).
   */
  errorType?: string;
  /** Node's error code for a failure before any response, e.g. ECONNREFUSED. */
  code?: string;
  /** The server's Retry-After, in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class PromQueryError extends Error {
  override readonly name = 'PromQueryError';
  readonly query: string;
  readonly attempts: number;
  readonly status?: number;
  readonly errorType?: string;
  readonly code?: string;
  readonly retryAfterMs?: number;

  constructor(fields: PromQueryErrorFields) {
    super(fields.message, { cause: fields.cause });
    this.query = fields.query;
    this.attempts = fields.attempts;
    this.status = fields.status;
    this.errorType = fields.errorType;
    this.code = fields.code;
    this.retryAfterMs = fields.retryAfterMs;
  }

  /** Network failures, our timeout, 429 and 5xx may pass; a bad query (4xx) will fail the same way again. */
  get retryable(): boolean {
    if (this.status !== undefined) return this.status === 429 || this.status >= 500;
    return this.errorType === 'network' || this.errorType === 'timeout';
  }
}

const DEFAULT_RETRY: RetryPolicy = {
  retries: 3,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
};

interface Envelope {
  resultType: string;
  result: unknown;
  warnings: string[];
  infos: string[];
}

type Call = (driver: PrometheusDriver) => Promise<unknown>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;

export class PromClient {
  readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly headers: Record<string, string>;
  private readonly basicAuth?: { username: string; password: string };
  private readonly httpsAgent?: HttpsAgent;
  private readonly onWarnings?: PromClientOptions['onWarnings'];
  private readonly sleep: NonNullable<PromClientOptions['sleep']>;
  private readonly random: () => number;

  constructor(options: PromClientOptions) {
    const url = new URL(options.endpoint);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`Prometheus endpoint must be http(s): ${options.endpoint}`);
    }
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.headers = options.auth?.type === 'bearer' ? { Authorization: `Bearer ${options.auth.token}` } : {};
    if (options.auth?.type === 'basic') {
      // prometheus-query silently sends no credentials when either part is empty.
      if (!options.auth.username || !options.auth.password) {
        throw new Error('Prometheus basic auth needs both a username and a password');
      }
      this.basicAuth = { username: options.auth.username, password: options.auth.password };
    }
    if (url.protocol === 'https:') {
      this.httpsAgent = new HttpsAgent({
        keepAlive: true,
        ca: options.tls?.ca,
        rejectUnauthorized: !options.tls?.insecureSkipVerify,
        servername: options.tls?.serverName,
      });
    }
    this.onWarnings = options.onWarnings;
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
    this.random = options.random ?? Math.random;
  }

  /** Evaluates `query` at `time` (default now). A scalar result comes back as one series without labels. */
  async instant(
    query: string,
    options: { time?: Date; signal?: AbortSignal } = {},
  ): Promise<QueryResponse<InstantSeries>> {
    const { envelope, attempts } = await this.withRetries(query, options.signal, (driver) =>
      driver.instantQuery(query, options.time, this.serverTimeout()),
    );
    return { series: decodeInstant(envelope, query, attempts), ...meta(envelope), attempts };
  }

  /** Evaluates `query` from `start` to `end` every `stepSeconds`. */
  async range(
    query: string,
    options: { start: Date; end: Date; stepSeconds: number; signal?: AbortSignal },
  ): Promise<QueryResponse<RangeSeries>> {
    const { envelope, attempts } = await this.withRetries(query, options.signal, (driver) =>
      driver.rangeQuery(query, options.start, options.end, options.stepSeconds, this.serverTimeout()),
    );
    return { series: decodeRange(envelope, query, attempts), ...meta(envelope), attempts };
  }

  // Prometheus then gives up when we do, instead of evaluating for nobody.
  private serverTimeout(): string {
    return `${this.timeoutMs}ms`;
  }

  private async withRetries(
    query: string,
    signal: AbortSignal | undefined,
    call: Call,
  ): Promise<{ envelope: Envelope; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
      let error: PromQueryError;
      try {
        const envelope = await this.attempt(query, attempt, signal, call);
        if (envelope.warnings.length > 0) this.onWarnings?.(envelope.warnings, query);
        return { envelope, attempts: attempt };
      } catch (err) {
        if (!(err instanceof PromQueryError)) throw err;
        error = err;
      }
      const wait = this.backoffMs(attempt, error);
      if (!error.retryable || attempt > this.retry.retries || wait === undefined) throw error;
      try {
        await this.sleep(wait, signal);
      } catch (cause) {
        throw canceled(query, attempt, cause);
      }
    }
  }

  // Full jitter spreads the retries of many collectors; a Retry-After is a floor, not a suggestion.
  private backoffMs(attempt: number, error: PromQueryError): number | undefined {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    const jittered = Math.floor(this.random() * ceiling);
    if (error.retryAfterMs === undefined) return jittered;
    if (error.retryAfterMs > this.retry.maxRetryAfterMs) return undefined;
    return Math.max(error.retryAfterMs, jittered);
  }

  private async attempt(
    query: string,
    attempt: number,
    signal: AbortSignal | undefined,
    call: Call,
  ): Promise<Envelope> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const attemptSignal = signal ? AbortSignal.any([signal, deadline]) : deadline;
    let response: HttpResponse | undefined;
    // A driver per attempt, so the interceptors' captured response is this request's and no other's.
    const driver = new PrometheusDriver({
      endpoint: this.endpoint,
      baseURL: '/api/v1/',
      headers: this.headers,
      auth: this.basicAuth,
      timeout: this.timeoutMs,
      requestInterceptor: {
        onFulfilled: (config: RequestConfig) => {
          config.signal = attemptSignal;
          if (this.httpsAgent) config.httpsAgent = this.httpsAgent;
          return config;
        },
      },
      responseInterceptor: {
        onFulfilled: (res: HttpResponse) => (response = res),
        onRejected: (err: unknown) => {
          if (isRecord(err) && isRecord(err.response)) response = err.response as unknown as HttpResponse;
          throw err;
        },
      },
    });
    let failure: unknown;
    try {
      await call(driver);
    } catch (err) {
      // Either the request failed (handled below) or only the library's decoder did, which we replace.
      failure = err;
    }
    if (signal?.aborted) throw canceled(query, attempt, signal.reason);
    if (response) return decodeEnvelope(response, query, attempt);
    if (deadline.aborted) {
      throw new PromQueryError({
        message: `Prometheus did not answer within ${this.timeoutMs} ms`,
        query,
        attempts: attempt,
        errorType: 'timeout',
        cause: failure,
      });
    }
    throw networkError(failure, query, attempt);
  }
}

function canceled(query: string, attempts: number, cause: unknown): PromQueryError {
  return new PromQueryError({ message: 'query canceled', query, attempts, errorType: 'canceled', cause });
}

// The library throws { errorType: 'timeout_error' | 'ssl_error' | 'network_error', code, error }.
function networkError(failure: unknown, query: string, attempts: number): PromQueryError {
  const record = isRecord(failure) ? failure : {};
  const code = typeof record.code === 'string' ? record.code : undefined;
  const detail =
    typeof record.error === 'string'
      ? record.error
      : failure instanceof Error
        ? failure.message
        : 'no response';
  const errorType =
    record.errorType === 'timeout_error'
      ? 'timeout'
      : record.errorType === 'ssl_error' || (code !== undefined && TLS_CODE.test(code))
        ? 'tls'
        : 'network';
  return new PromQueryError({
    message: `Prometheus unreachable (${errorType}${code ? ` ${code}` : ''}): ${detail}`,
    query,
    attempts,
    errorType,
    code,
    cause: failure,
  });
}

function retryAfterMs(response: HttpResponse): number | undefined {
  const header: unknown = response.headers['retry-after'];
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function decodeEnvelope(response: HttpResponse, query: string, attempts: number): Envelope {
  const body: unknown = response.data;
  const envelope = isRecord(body) ? body : undefined;
  const ok = response.status >= 200 && response.status < 300;
  if (!ok || envelope?.status !== 'success') {
    const status = response.status;
    const errorType =
      typeof envelope?.errorType === 'string' ? envelope.errorType : ok ? 'bad_response' : 'http';
    const detail =
      typeof envelope?.error === 'string'
        ? envelope.error
        : ok
          ? 'response is not a Prometheus API envelope'
          : `${response.statusText || 'error'}${typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : ''}`;
    throw new PromQueryError({
      message: `Prometheus answered HTTP ${status} (${errorType}): ${detail}`,
      query,
      attempts,
      status,
      errorType,
      retryAfterMs: retryAfterMs(response),
    });
  }
  const data = isRecord(envelope.data) ? envelope.data : {};
  if (typeof data.resultType !== 'string') {
    throw badResponse(query, attempts, response.status, 'data.resultType is missing');
  }
  return {
    resultType: data.resultType,
    result: data.result,
    warnings: strings(envelope.warnings),
    infos: strings(envelope.infos),
  };
}

function badResponse(query: string, attempts: number, status: number | undefined, detail: string) {
  return new PromQueryError({
    message: `unreadable Prometheus response: ${detail}`,
    query,
    attempts,
    status,
    errorType: 'bad_response',
  });
}

function meta(envelope: Envelope): { warnings: string[]; infos: string[] } {
  return { warnings: envelope.warnings, infos: envelope.infos };
}

function labelsOf(metric: unknown): Labels {
  if (!isRecord(metric)) return {};
  return Object.fromEntries(
    Object.entries(metric).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

function decodeSample(pair: unknown, query: string, attempts: number): Sample {
  const sample = sampleFromPair(pair);
  if (!sample) throw badResponse(query, attempts, undefined, `bad sample ${JSON.stringify(pair)}`);
  return sample;
}

function decodeInstant(envelope: Envelope, query: string, attempts: number): InstantSeries[] {
  if (envelope.resultType === 'scalar') {
    return [{ labels: {}, sample: decodeSample(envelope.result, query, attempts) }];
  }
  if (envelope.resultType !== 'vector' || !Array.isArray(envelope.result)) {
    throw badResponse(query, attempts, undefined, `expected a vector or scalar, got ${envelope.resultType}`);
  }
  return (
    envelope.result
      .filter(isRecord)
      // Histogram-only series carry `histogram` instead of `value`; usage needs float samples only.
      .filter((series) => series.value !== undefined)
      .map((series) => ({
        labels: labelsOf(series.metric),
        sample: decodeSample(series.value, query, attempts),
      }))
  );
}

function decodeRange(envelope: Envelope, query: string, attempts: number): RangeSeries[] {
  if (envelope.resultType !== 'matrix' || !Array.isArray(envelope.result)) {
    throw badResponse(query, attempts, undefined, `expected a matrix, got ${envelope.resultType}`);
  }
  return envelope.result
    .filter(isRecord)
    .filter((series) => Array.isArray(series.values))
    .map((series) => ({
      labels: labelsOf(series.metric),
      samples: (series.values as unknown[]).map((pair) => decodeSample(pair, query, attempts)),
    }));
}
