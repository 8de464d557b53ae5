/** Public types of the demo-fleet simulator. */
import type { K8sObject, ResourceName } from './store.js';

export type { K8sObject, ResourceName } from './store.js';

export interface DemoClusterSpec {
  id: string;
  name: string;
  cloud: { id: string; name: string; provider: string; tier: 'provincial' | 'sector' | 'city' };
  /** Hardware / OS mix: 'x86-hygon-intel', 'kunpeng-kylin' or 'phytium-uos'; unknown names get x86. */
  profile: 'x86-hygon-intel' | 'kunpeng-kylin' | 'phytium-uos' | string;
  nodes: number;
  /** Target pods per node, DaemonSet pods included; small clusters may exceed it slightly. */
  podsPerNode: number;
  /** Tenant codes (see DEMO_TENANTS) whose namespaces exist on this cluster; default all. */
  tenants?: string[];
}

export interface DemoFleetOptions {
  clusters?: DemoClusterSpec[];
  seed?: number;
  /** Churn + usage changes every tickMs; 0 = no background changes (tests call tick()). Default 5000. */
  tickMs?: number;
  /** Changes kept per resource for watch resume before 410 Gone. Default 1000. */
  historyWindow?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Simulated time at start (ms since epoch), fixing every object timestamp; default now. */
  startTime?: number;
}

export interface DemoCluster {
  spec: DemoClusterSpec;
  /** Kubernetes API root, `${url}/clusters/<id>`. */
  apiUrl: string;
  /** Prometheus HTTP API root (append /api/v1/query). */
  prometheusUrl: string;
  /** Prometheus text exposition of the series behind the queries, for a real Prometheus to scrape. */
  metricsUrl: string;
  /** Kubeconfig YAML with server = apiUrl and a bearer token. */
  kubeconfig: string;
  token: string;
}

/** What a mutate() callback may do to one resource of one cluster; every change emits a watch event. */
export interface MutationHandle {
  list(): K8sObject[];
  get(name: string, namespace?: string): K8sObject | undefined;
  /** Creates or replaces an object (uid and creationTimestamp are filled in when missing). */
  put(object: K8sObject): void;
  remove(name: string, namespace?: string): boolean;
}

export interface DemoFleet {
  url: string;
  clusters: DemoCluster[];
  /** One churn step on every cluster, now. */
  tick(): void;
  /** Simulates an outage: connections are reset, open watches dropped, until set back up. */
  setDown(clusterId: string, down: boolean): void;
  /** Drops the watch history of a cluster so that the next resume gets 410 Gone. */
  compact(clusterId: string): void;
  mutate(clusterId: string, resource: ResourceName, fn: (objects: MutationHandle) => void): void;
  stop(): Promise<void>;
}
