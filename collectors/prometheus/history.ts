/** Usage over time for the console's charts: one metric of one node or namespace, as range queries. */
import type { PromClient, RangeSeries } from './client.js';
import { queries } from './queries.js';

/** Prometheus refuses a range query with more points than this per series. */
export const MAX_POINTS = 11_000;

const METRICS = {
  node_cpu: { target: 'node', unit: 'ratio', query: queries.nodeCpuUtilisation },
  node_memory: { target: 'node', unit: 'ratio', query: queries.nodeMemoryUtilisation },
  node_disk: { target: 'node', unit: 'ratio', query: queries.nodeDiskUtilisation },
  node_network_rx: { target: 'node', unit: 'bytes/s', query: queries.nodeNetworkReceive },
  node_network_tx: { target: 'node', unit: 'bytes/s', query: queries.nodeNetworkTransmit },
  namespace_cpu: { target: 'namespace', unit: 'cores', query: queries.namespaceCpuCores },
  namespace_memory: { target: 'namespace', unit: 'bytes', query: queries.namespaceMemoryBytes },
} as const satisfies Record<
  string,
  { target: 'node' | 'namespace'; unit: string; query: (target: string) => string }
>;

export type HistoryMetric = keyof typeof METRICS;
export const HISTORY_METRICS = Object.keys(METRICS) as HistoryMetric[];

export interface HistoryRequest {
  clusterId: string;
  metric: HistoryMetric;
  /** Node name for node_* metrics, namespace for namespace_* metrics. */
  target: string;
  from: Date;
  to: Date;
  /** Seconds between points. */
  step: number;
  signal?: AbortSignal;
}

export interface HistoryResult {
  clusterId: string;
  metric: HistoryMetric;
  target: string;
  unit: (typeof METRICS)[HistoryMetric]['unit'];
  from: string;
  to: string;
  step: number;
  /** Usually one series; samples keep `raw`, so gaps (NaN) and ±Inf survive serialisation. */
  series: RangeSeries[];
  warnings: string[];
}

/** A request the caller can fix; `parameter` names the offending field, for a 400 that says where. */
export class HistoryParameterError extends Error {
  override readonly name = 'HistoryParameterError';
  constructor(
    readonly parameter: 'clusterId' | 'metric' | 'target' | 'from' | 'to' | 'step',
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}

// Node and namespace names are RFC 1123 names; anything else cannot match and is a caller error.
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export class UsageHistory {
  /** `clientFor` returns the cluster's Prometheus client, or undefined for a cluster without one. */
  constructor(private readonly clientFor: (clusterId: string) => PromClient | undefined) {}

  async history(request: HistoryRequest): Promise<HistoryResult> {
    const { clusterId, metric, target, from, to, step, signal } = request;
    const spec = Object.hasOwn(METRICS, metric) ? METRICS[metric] : undefined;
    if (!spec)
      throw new HistoryParameterError(
        'metric',
        `unknown metric "${metric}"; one of ${HISTORY_METRICS.join(', ')}`,
      );
    if (target.length > 253 || !K8S_NAME.test(target)) {
      throw new HistoryParameterError('target', `"${target}" is not a ${spec.target} name`);
    }
    if (Number.isNaN(from.getTime())) throw new HistoryParameterError('from', 'not a valid time');
    if (Number.isNaN(to.getTime())) throw new HistoryParameterError('to', 'not a valid time');
    if (to < from)
      throw new HistoryParameterError('to', `${to.toISOString()} is before from ${from.toISOString()}`);
    if (!Number.isFinite(step) || step <= 0)
      throw new HistoryParameterError('step', `must be a positive number of seconds, got ${step}`);
    const spanSeconds = (to.getTime() - from.getTime()) / 1000;
    if (spanSeconds / step > MAX_POINTS) {
      throw new HistoryParameterError(
        'step',
        `${step} s over ${spanSeconds} s gives ${Math.floor(spanSeconds / step)} points, more than Prometheus' ` +
          `${MAX_POINTS}; use a step of at least ${Math.ceil(spanSeconds / MAX_POINTS)} s or a shorter range`,
      );
    }
    const client = this.clientFor(clusterId);
    if (!client)
      throw new HistoryParameterError('clusterId', `cluster "${clusterId}" has no Prometheus configured`);

    const response = await client.range(spec.query(target), {
      start: from,
      end: to,
      stepSeconds: step,
      signal,
    });
    return {
      clusterId,
      metric,
      target,
      unit: spec.unit,
      from: from.toISOString(),
      to: to.toISOString(),
      step,
      series: response.series,
      warnings: response.warnings,
    };
  }
}
