/**
 * The PromQL contract between the Prometheus collector and the demo fleet: the collector sends
 * exactly these queries, the simulator answers exactly these (anything else is bad_data, HTTP 400),
 * and a real Prometheus scraping the simulator's /metrics evaluates them to the same numbers.
 *
 * Node series carry a `node` label (kube-prometheus relabels node-exporter targets that way);
 * every result is keyed by `node` or `namespace` only, so callers need no label juggling.
 */
export const PROMQL = {
  /** Fraction 0..1 of CPU time not idle, per node, over 5 minutes. */
  nodeCpuUtilisation: '1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle"}[5m]))',
  /** Fraction 0..1 of memory in use (not available), per node. */
  nodeMemoryUtilisation:
    '1 - sum by (node) (node_memory_MemAvailable_bytes) / sum by (node) (node_memory_MemTotal_bytes)',
  /** Fraction 0..1 of the root filesystem in use, per node. */
  nodeFilesystemUtilisation:
    '1 - sum by (node) (node_filesystem_avail_bytes{mountpoint="/"}) / sum by (node) (node_filesystem_size_bytes{mountpoint="/"})',
  /** Bytes/s received on all interfaces but loopback, per node. */
  nodeNetworkReceiveBytes: 'sum by (node) (rate(node_network_receive_bytes_total{device!="lo"}[5m]))',
  /** Bytes/s sent on all interfaces but loopback, per node. */
  nodeNetworkTransmitBytes: 'sum by (node) (rate(node_network_transmit_bytes_total{device!="lo"}[5m]))',
  /** CPU cores used per namespace; container!="" drops cAdvisor's pod-level cgroup series. */
  namespaceCpuCores: 'sum by (namespace) (rate(container_cpu_usage_seconds_total{container!=""}[5m]))',
  /** Working-set memory bytes per namespace. */
  namespaceMemoryBytes: 'sum by (namespace) (container_memory_working_set_bytes{container!=""})',
  /** Test-only: three series whose values are +Inf, -Inf and NaN, for the collector's ±Inf handling. */
  specialValues: 'yunshu_demo_special_value',
} as const;

export type PromQueryName = keyof typeof PROMQL;

/** Whitespace-insensitive form used to recognise a contract query. */
export const normalisePromQL = (query: string): string => query.replace(/\s+/g, '');
