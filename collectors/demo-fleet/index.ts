/**
 * The demo fleet: simulated Kubernetes clusters and their Prometheus on one loopback HTTP server,
 * multiplexed by path (`/clusters/<id>` as behind a Rancher-style proxy), so that the real
 * @kubernetes/client-node and prometheus-query code paths run on a machine with no cluster.
 *
 *   ${url}/clusters/<id>             Kubernetes API (bearer token from the kubeconfig)
 *   ${url}/clusters/<id>/prometheus  Prometheus HTTP API for the queries in promql.ts
 *   ${url}/clusters/<id>/metrics     the underlying series, for a real Prometheus to scrape
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import { defaultDemoClusters } from './catalogue.js';
import { SimCluster } from './cluster.js';
import { handleKubeApi, sendStatus } from './kube-api.js';
import { ClusterMetrics } from './metrics.js';
import { handlePrometheus } from './prometheus-api.js';
import { RESOURCES } from './store.js';
import type { DemoCluster, DemoFleet, DemoFleetOptions } from './types.js';

export { defaultDemoClusters, DEMO_TENANTS } from './catalogue.js';
export { PROMQL, normalisePromQL, type PromQueryName } from './promql.js';
export type * from './types.js';

interface ClusterState {
  readonly sim: SimCluster;
  readonly metrics: ClusterMetrics;
  readonly public: DemoCluster;
  readonly token: Buffer;
  down: boolean;
  /** Open watch responses, cut on an outage or stop(). */
  readonly watches: Set<ServerResponse>;
}

const CLUSTER_ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function kubeconfig(id: string, server: string, token: string): string {
  const user = `${id}-demo-viewer`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain http unless TLS verification is off; the fleet serves loopback http.
    clusters: [{ name: id, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: id, context: { cluster: id, user } }],
    'current-context': id,
    preferences: {},
  });
}

function authorised(req: IncomingMessage, token: Buffer): boolean {
  const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  const given = Buffer.from(match?.[1] ?? '');
  return given.length === token.length && timingSafeEqual(given, token);
}

export async function startDemoFleet(options: DemoFleetOptions = {}): Promise<DemoFleet> {
  const specs = options.clusters ?? defaultDemoClusters();
  const seed = options.seed ?? 1;
  const tickMs = options.tickMs ?? 5000;
  const startTime = options.startTime ?? Date.now();
  const host = options.host ?? '127.0.0.1';
  const ids = new Set<string>();
  for (const spec of specs) {
    if (!CLUSTER_ID.test(spec.id))
      throw new Error(`cluster id ${JSON.stringify(spec.id)} is not a DNS label`);
    if (ids.has(spec.id)) throw new Error(`duplicate cluster id ${spec.id}`);
    ids.add(spec.id);
  }
  const sims = specs.map(
    (spec, index) =>
      new SimCluster({
        spec,
        index,
        seed,
        historyWindow: options.historyWindow ?? 1000,
        startTime,
        tickStepMs: tickMs > 0 ? tickMs : 1000,
      }),
  );

  const states = new Map<string, ClusterState>();
  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendStatus(res, 500, 'InternalError', error instanceof Error ? error.message : String(error));
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://demo-fleet');
    const match = /^\/clusters\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!match) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ clusters: [...states.keys()].map((id) => `/clusters/${id}`) }));
      return;
    }
    const state = states.get(match[1] as string);
    if (!state) {
      sendStatus(res, 404, 'NotFound', `no demo cluster ${JSON.stringify(match[1])}`);
      return;
    }
    if (state.down) {
      // An unreachable cluster: the connection dies without an HTTP answer.
      req.socket.destroy();
      return;
    }
    const path = match[2] ?? '/';
    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(state.metrics.exposition(Date.now() / 1000));
    } else if (path === '/prometheus' || path.startsWith('/prometheus/')) {
      await handlePrometheus(state.metrics, path.slice('/prometheus'.length), url.searchParams, req, res);
    } else if (!authorised(req, state.token)) {
      sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
    } else {
      handleKubeApi(state.sim, path, url.searchParams, req, res, (watch) => {
        state.watches.add(watch);
        return () => state.watches.delete(watch);
      });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  for (const sim of sims) {
    const id = sim.spec.id;
    const token = randomBytes(24).toString('base64url');
    const apiUrl = `${url}/clusters/${id}`;
    states.set(id, {
      sim,
      metrics: new ClusterMetrics(seed, id, sim.store),
      token: Buffer.from(token),
      down: false,
      watches: new Set(),
      public: {
        spec: sim.spec,
        apiUrl,
        prometheusUrl: `${apiUrl}/prometheus`,
        metricsUrl: `${apiUrl}/metrics`,
        kubeconfig: kubeconfig(id, apiUrl, token),
        token,
      },
    });
  }

  const stateOf = (clusterId: string): ClusterState => {
    const state = states.get(clusterId);
    if (!state) throw new Error(`no demo cluster ${JSON.stringify(clusterId)}`);
    return state;
  };
  const cutWatches = (state: ClusterState) => {
    for (const watch of state.watches) watch.destroy();
    state.watches.clear();
  };
  const tick = () => {
    for (const sim of sims) sim.tick();
  };
  const timer = tickMs > 0 ? setInterval(tick, tickMs).unref() : undefined;

  return {
    url,
    clusters: [...states.values()].map((s) => s.public),
    tick,
    setDown(clusterId, down) {
      const state = stateOf(clusterId);
      state.down = down;
      if (down) cutWatches(state);
    },
    compact(clusterId) {
      stateOf(clusterId).sim.store.compact();
    },
    mutate(clusterId, resource, fn) {
      if (!Object.hasOwn(RESOURCES, resource))
        throw new Error(`unknown resource ${JSON.stringify(resource)}`);
      fn(stateOf(clusterId).sim.mutation(resource));
    },
    async stop() {
      clearInterval(timer);
      for (const state of states.values()) cutWatches(state);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
