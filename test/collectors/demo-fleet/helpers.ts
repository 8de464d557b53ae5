/** Shared set-up for the demo-fleet suites: a fleet per suite and real client-node clients for it. */
import { AppsV1Api, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { setTimeout as delay } from 'node:timers/promises';
import {
  startDemoFleet,
  type DemoCluster,
  type DemoFleet,
  type DemoFleetOptions,
} from '../../../collectors/demo-fleet/index.js';

/** A fixed start time makes every timestamp, hence whole objects, reproducible. */
export const START_TIME = Date.UTC(2025, 5, 1, 8, 0, 0);

/** Starts a fleet (no background churn) in beforeAll and stops it in afterAll. */
export function useFleet(options: DemoFleetOptions = {}): () => DemoFleet {
  let fleet: DemoFleet | undefined;
  beforeAll(async () => {
    fleet = await startDemoFleet({ tickMs: 0, seed: 7, startTime: START_TIME, ...options });
  });
  afterAll(async () => {
    await fleet?.stop();
  });
  return () => {
    if (!fleet) throw new Error('the fleet did not start; see the beforeAll error');
    return fleet;
  };
}

export function clusterOf(fleet: DemoFleet, id: string): DemoCluster {
  const cluster = fleet.clusters.find((c) => c.spec.id === id);
  if (!cluster) throw new Error(`no cluster ${id}`);
  return cluster;
}

export function clients(cluster: DemoCluster) {
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  return { kc, core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
}

export interface WatchEvent {
  type: string;
  object: {
    kind?: string;
    code?: number;
    reason?: string;
    metadata?: { name?: string; resourceVersion?: string };
  };
}

/** Runs a real client-node Watch and records its events and how it ended. */
export async function recordWatch(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean>,
) {
  const events: WatchEvent[] = [];
  let ended: (error: unknown) => void = () => undefined;
  const done = new Promise<unknown>((resolve) => (ended = resolve));
  const controller = await new Watch(kc).watch(
    path,
    query,
    (type, object) => events.push({ type, object: object as WatchEvent['object'] }),
    (error) => ended(error),
  );
  return { events, done, stop: () => controller.abort() };
}

/** Waits for a condition driven by the server; the deadline only bounds a broken run. */
export async function until<T>(probe: () => T | undefined | false, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}
