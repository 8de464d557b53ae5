/**
 * The PromQL contract between the Prometheus collector and the demo fleet: the collector's own
 * query strings (collectors/prometheus/queries.ts), named as the simulator knows them. The collector sends
 * exactly these queries, the simulator answers exactly these (anything else is bad_data, HTTP 400),
 * and a real Prometheus scraping the simulator's /metrics evaluates them to the same numbers.
 *
 * Node series carry a `node` label (kube-prometheus relabels node-exporter targets that way);
 * every result is keyed by `node` or `namespace` only, so callers need no label juggling.
 */
import { USAGE_QUERIES } from '../prometheus/queries.js';

export const PROMQL = {
  /** Fraction 0..1 of CPU time not idle, per node, over 5 minutes. */
  nodeCpuUtilisation: USAGE_QUERIES.nodeCpuUtilisation,
  /** Fraction 0..1 of memory in use (not available), per node. */
  nodeMemoryUtilisation: USAGE_QUERIES.nodeMemoryUtilisation,
  /** Fraction 0..1 of the fullest real filesystem in use, per node. */
  nodeFilesystemUtilisation: USAGE_QUERIES.nodeDiskUtilisation,
  /** Bytes/s received on physical interfaces, per node. */
  nodeNetworkReceiveBytes: USAGE_QUERIES.nodeNetworkReceive,
  /** Bytes/s sent on physical interfaces, per node. */
  nodeNetworkTransmitBytes: USAGE_QUERIES.nodeNetworkTransmit,
  /** CPU cores used per namespace. */
  namespaceCpuCores: USAGE_QUERIES.namespaceCpuCores,
  /** Working-set memory bytes per namespace. */
  namespaceMemoryBytes: USAGE_QUERIES.namespaceMemoryBytes,
  /** Requested CPU cores and memory bytes per namespace (kube-state-metrics), by `resource`. */
  namespaceRequests: USAGE_QUERIES.namespaceRequests,
  /** Hard ResourceQuota limits per namespace; the demo fleet sets none, so the answer is empty. */
  namespaceQuota: USAGE_QUERIES.namespaceQuota,
  /** Test-only: three series whose values are +Inf, -Inf and NaN, for the collector's ±Inf handling. */
  specialValues: 'yunshu_demo_special_value',
} as const;

export type PromQueryName = keyof typeof PROMQL;

/** Whitespace-insensitive form used to recognise a contract query. */
export const normalisePromQL = (query: string): string => query.replace(/\s+/g, '');
