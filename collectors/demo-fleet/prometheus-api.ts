/**
 * Prometheus HTTP API (/api/v1/query, /api/v1/query_range) for the contract queries, with
 * Prometheus' envelope, parameter parsing (GET or form POST) and bad_data errors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatValue, type ClusterMetrics, type Sample } from './metrics.js';
import { PROMQL, normalisePromQL, type PromQueryName } from './promql.js';

/** Prometheus refuses range queries with more points per series than this. */
const MAX_POINTS = 11_000;

const CONTRACT = new Map(
  (Object.entries(PROMQL) as [PromQueryName, string][]).map(([name, query]) => [
    normalisePromQL(query),
    name,
  ]),
);

class BadData extends Error {}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const DURATION_UNITS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

/** A float of seconds or a Prometheus duration such as 1m30s. */
function parseDuration(name: string, text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new BadData(`invalid parameter "${name}": cannot parse "${text}" to a valid duration`);
  }
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (DURATION_UNITS[unit as string] as number), 0);
}

/** Unix seconds (float) or RFC 3339. */
function parseTime(name: string, text: string | null, fallback?: number): number {
  if (text === null || text === '') {
    if (fallback !== undefined) return fallback;
    throw new BadData(`invalid parameter "${name}": cannot parse "" to a valid timestamp`);
  }
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new BadData(`invalid parameter "${name}": cannot parse "${text}" to a valid timestamp`);
  return ms / 1000;
}

const roundMs = (t: number): number => Math.round(t * 1000) / 1000;

/** A contract query, possibly narrowed to one node or namespace (`node="x"`), as the history charts send. */
interface ContractQuery {
  name: PromQueryName;
  only?: { label: string; value: string };
}

const NARROWING = /(,?)(node|namespace)="((?:[^"\\]|\\.)*)"/g;

function contractQuery(params: URLSearchParams): ContractQuery {
  const query = params.get('query') ?? '';
  if (query.trim() === '')
    throw new BadData('invalid parameter "query": 1:1: parse error: no expression found in input');
  const exact = CONTRACT.get(normalisePromQL(query));
  if (exact !== undefined) return { name: exact };
  // Narrowed: every matcher names the same target; without them the query is a contract query.
  const targets = new Set<string>();
  let label = '';
  const broad = query
    .replace(NARROWING, (_m, _comma: string, name: string, value: string) => {
      label = name;
      targets.add(value);
      return '';
    })
    .replace(/\{\}/g, '');
  const name = targets.size === 1 ? CONTRACT.get(normalisePromQL(broad)) : undefined;
  if (name === undefined) {
    throw new BadData(
      `invalid parameter "query": the demo fleet answers only the queries of collectors/demo-fleet/promql.ts, not ${JSON.stringify(query)}`,
    );
  }
  return { name, only: { label, value: [...targets][0]! } };
}

const narrowed = (samples: Sample[], only: ContractQuery['only']): Sample[] =>
  only ? samples.filter((s) => s.metric[only.label] === only.value) : samples;

function rangeResult(metrics: ClusterMetrics, { name, only }: ContractQuery, params: URLSearchParams) {
  const start = parseTime('start', params.get('start'));
  const end = parseTime('end', params.get('end'));
  const step = parseDuration('step', params.get('step') ?? '');
  if (end < start) throw new BadData('invalid parameter "end": end timestamp must not be before start time');
  if (step <= 0) {
    throw new BadData(
      'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  }
  if ((end - start) / step > MAX_POINTS) {
    throw new BadData(
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    );
  }
  const series = new Map<string, { metric: Sample['metric']; values: [number, string][] }>();
  for (let t = start; t <= end; t += step) {
    for (const sample of narrowed(metrics.evaluate(name, t), only)) {
      const key = JSON.stringify(sample.metric);
      let entry = series.get(key);
      if (!entry) series.set(key, (entry = { metric: sample.metric, values: [] }));
      entry.values.push([roundMs(t), formatValue(sample.value)]);
    }
  }
  return { resultType: 'matrix', result: [...series.values()] };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function handlePrometheus(
  metrics: ClusterMetrics,
  path: string,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (path === '/-/ready' || path === '/-/healthy') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Prometheus Server is Ready.\n');
    return;
  }
  if (path !== '/api/v1/query' && path !== '/api/v1/query_range') {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    return;
  }
  const params = new URLSearchParams(query);
  if (req.method === 'POST') for (const [key, value] of await readForm(req)) params.append(key, value);
  try {
    const contract = contractQuery(params);
    if (path === '/api/v1/query') {
      const t = roundMs(parseTime('time', params.get('time'), Date.now() / 1000));
      const result = narrowed(metrics.evaluate(contract.name, t), contract.only).map((s) => ({
        metric: s.metric,
        value: [t, formatValue(s.value)],
      }));
      send(res, 200, { status: 'success', data: { resultType: 'vector', result } });
    } else {
      send(res, 200, { status: 'success', data: rangeResult(metrics, contract, params) });
    }
  } catch (error) {
    if (!(error instanceof BadData)) throw error;
    send(res, 400, { status: 'error', errorType: 'bad_data', error: error.message });
  }
}
