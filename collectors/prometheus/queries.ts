/**
 * The PromQL Yunshu runs against a cluster's Prometheus: the single source of these strings (the
 * demo fleet's simulated Prometheus should answer exactly these).
 *
 * What the queries assume of the cluster's scrape config:
 * - node_exporter series carry the Kubernetes node name in a `node` label (relabel
 *   `__meta_kubernetes_pod_node_name` or `__meta_kubernetes_node_name` to `node`);
 * - cAdvisor series (kubelet /metrics/cadvisor) carry `namespace` and `container`;
 * - kube-state-metrics v2 is optional: without it the requests and quota queries return nothing.
 */

/** Rate window: at least four scrapes at the usual 15–60 s intervals, so one missed scrape is harmless. */
export const RATE_WINDOW = '5m';

// Filesystems that are not node disks (memory, container layers, kernel pseudo-filesystems).
const REAL_FILESYSTEM = 'fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|nsfs|autofs|fuse\\\\..*"';
// Virtual interfaces (loopback, pod veths, CNI bridges and tunnels) would count pod traffic twice.
const PHYSICAL_NIC =
  'device!~"lo|veth.+|cali.+|cni.+|flannel.+|cilium.+|lxc.+|docker.+|vxlan.+|tunl.+|kube-ipvs.+"';
// cAdvisor also exports pod-level cgroups (container="") and pause containers; summing them counts twice.
const CONTAINERS = 'container!="",container!="POD"';

/** A PromQL string literal; names are RFC 1123 anyway, but a selector must never be injectable. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function selector(metric: string, ...matchers: (string | undefined)[]): string {
  const present = matchers.filter((m): m is string => m !== undefined);
  return present.length === 0 ? metric : `${metric}{${present.join(',')}}`;
}

const only = (label: string, value: string | undefined): string | undefined =>
  value === undefined ? undefined : `${label}=${promString(value)}`;

/** Query builders; the optional argument narrows the query to one node or namespace. */
export const queries = {
  /** Share of CPU time not idle, 0–1, averaged over the node's CPUs. */
  nodeCpuUtilisation: (node?: string) =>
    `1 - avg by (node) (rate(${selector('node_cpu_seconds_total', 'mode="idle"', only('node', node))}[${RATE_WINDOW}]))`,
  /** 1 − MemAvailable / MemTotal: memory the kernel could not hand out without swapping or reclaiming. */
  nodeMemoryUtilisation: (node?: string) =>
    `1 - sum by (node) (${selector('node_memory_MemAvailable_bytes', only('node', node))})` +
    ` / sum by (node) (${selector('node_memory_MemTotal_bytes', only('node', node))})`,
  /** The fullest real filesystem, 0–1: the one that raises DiskPressure first. */
  nodeDiskUtilisation: (node?: string) =>
    `max by (node) (1 - ${selector('node_filesystem_avail_bytes', REAL_FILESYSTEM, only('node', node))}` +
    ` / ${selector('node_filesystem_size_bytes', REAL_FILESYSTEM, only('node', node))})`,
  /** Bytes/s received on physical interfaces. */
  nodeNetworkReceive: (node?: string) =>
    `sum by (node) (rate(${selector('node_network_receive_bytes_total', PHYSICAL_NIC, only('node', node))}[${RATE_WINDOW}]))`,
  /** Bytes/s sent on physical interfaces. */
  nodeNetworkTransmit: (node?: string) =>
    `sum by (node) (rate(${selector('node_network_transmit_bytes_total', PHYSICAL_NIC, only('node', node))}[${RATE_WINDOW}]))`,
  /** CPU cores in use by the namespace's containers. */
  namespaceCpuCores: (namespace?: string) =>
    `sum by (namespace) (rate(${selector('container_cpu_usage_seconds_total', CONTAINERS, only('namespace', namespace))}[${RATE_WINDOW}]))`,
  /** Working-set bytes (what the OOM killer and kubectl top count) of the namespace's containers. */
  namespaceMemoryBytes: (namespace?: string) =>
    `sum by (namespace) (${selector('container_memory_working_set_bytes', CONTAINERS, only('namespace', namespace))})`,
  /** Requested CPU cores / memory bytes per namespace, by `resource`, of pods that hold them (Pending or Running). */
  namespaceRequests: (namespace?: string) =>
    `sum by (namespace, resource) (${selector('kube_pod_container_resource_requests', 'resource=~"cpu|memory"', only('namespace', namespace))}` +
    ` * on (namespace, pod) group_left () (max by (namespace, pod) (${selector('kube_pod_status_phase', 'phase=~"Pending|Running"', only('namespace', namespace))}) == 1))`,
  /** Hard ResourceQuota limits per namespace, by `resource`; min because every quota in a namespace applies. */
  namespaceQuota: (namespace?: string) =>
    `min by (namespace, resource) (${selector('kube_resourcequota', 'type="hard"', only('namespace', namespace))})`,
} as const;

/** The cluster-wide usage queries, as sent. */
export const USAGE_QUERIES = {
  nodeCpuUtilisation: queries.nodeCpuUtilisation(),
  nodeMemoryUtilisation: queries.nodeMemoryUtilisation(),
  nodeDiskUtilisation: queries.nodeDiskUtilisation(),
  nodeNetworkReceive: queries.nodeNetworkReceive(),
  nodeNetworkTransmit: queries.nodeNetworkTransmit(),
  namespaceCpuCores: queries.namespaceCpuCores(),
  namespaceMemoryBytes: queries.namespaceMemoryBytes(),
  namespaceRequests: queries.namespaceRequests(),
  namespaceQuota: queries.namespaceQuota(),
} as const satisfies Record<keyof typeof queries, string>;
export type UsageQueryName = keyof typeof USAGE_QUERIES;
