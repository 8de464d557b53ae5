/**
 * The cluster registry: clouds and the clusters on them. A kubeconfig is checked (YAML, context,
 * server) and stored sealed under SM4; it is never returned. An unreachable API server is not an
 * input error: the cluster is saved and its status shows it.
 */
import { randomUUID } from 'node:crypto';
import {
  IN_CLUSTER_REF,
  inClusterKubeconfig,
  kubeconfigRef,
  revealKubeconfig,
  secretIdOf,
  type StoredKubeconfig,
} from '../../collectors/kubernetes/fleet-collector.js';
import { getJson } from '../../collectors/kubernetes/kube-request.js';
import { KubeconfigError, loadKubeconfig } from '../../collectors/kubernetes/kubeconfig.js';
import { HttpError } from '../http/errors.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import { CloudCreateSchema, CloudSchema, type Cloud } from '../model/cloud.js';
import { ClusterCreateSchema, ClusterSchema, ClusterStatus, type Cluster } from '../model/cluster.js';
import { z } from '../model/common.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Store } from '../store/port.js';
import { IdParams, PageQuery, pageSchema, pagingOptions } from './paging.js';

export interface ClusterRouteDeps {
  secrets: SecretStore;
  /** Told after every registry change so collectors start, restart or stop. */
  fleet?: { refresh(): Promise<void> };
}

const Kubeconfig = z
  .string()
  .min(20)
  .max(256 * 1024)
  .describe('kubeconfig YAML (write-only; stored sealed with SM4)');

const ClusterRegistration = ClusterCreateSchema.omit({ credentialRef: true, apiServerUrl: true })
  .extend({
    kubeconfig: Kubeconfig.optional().describe(
      'kubeconfig YAML (write-only; stored sealed with SM4); or inCluster',
    ),
    context: z.string().max(253).optional().describe('Context to use; default: the current-context'),
    inCluster: z
      .boolean()
      .optional()
      .describe("The cluster Yunshu runs in, through its pod's service account (no kubeconfig)"),
  })
  .superRefine((body, ctx) => {
    if (Boolean(body.kubeconfig) === Boolean(body.inCluster))
      ctx.addIssue({
        code: 'custom',
        path: ['kubeconfig'],
        message: 'give a kubeconfig, or inCluster: true',
      });
  })
  .openapi('ClusterRegistration');

const ClusterPatch = z
  .strictObject({
    displayName: z.string().max(256).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    prometheus: ClusterCreateSchema.shape.prometheus,
    kubeconfig: Kubeconfig.optional().describe('Replace the credentials (rotation)'),
    context: z.string().max(253).optional(),
  })
  .openapi('ClusterPatch');

const ConnectionTest = z
  .object({
    ok: z.boolean(),
    kubernetesVersion: z.string().optional(),
    latencyMs: z.number().optional(),
    error: z.string().optional(),
  })
  .openapi('ClusterConnectionTest');

/** Parses a kubeconfig or answers 400 naming the field and the problem. */
function checked(kubeconfig: string, context: string | undefined) {
  try {
    return loadKubeconfig(kubeconfig, context);
  } catch (error) {
    if (error instanceof KubeconfigError)
      throw new HttpError(400, `${error.field}: ${error.message}`, [
        { path: `body.${error.field}`, message: error.message },
      ]);
    throw error;
  }
}

/** Seals the kubeconfig with the context to use; a fresh secret per version, so rotation restarts collection. */
function sealKubeconfig(secrets: SecretStore, clusterId: string, kubeconfig: string, context: string) {
  return secrets.put({
    name: `cluster-${clusterId}-kubeconfig-${Date.now().toString(36)}`,
    kind: 'kubeconfig',
    value: JSON.stringify({ context, kubeconfig } satisfies StoredKubeconfig),
  });
}

export function clusterRoutes(deps: ClusterRouteDeps): RouteSpec[] {
  const clusters = (store: Store) => store.collection<Cluster>('clusters');
  const clouds = (store: Store) => store.collection<Cloud>('clouds');
  const refresh = () => void deps.fleet?.refresh();
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/clouds',
      summary: 'List clouds',
      tags: ['clusters'],
      permission: 'clusters:read',
      query: z.object(PageQuery),
      responses: { 200: { description: 'a page of clouds', schema: pageSchema(CloudSchema, 'CloudPage') } },
      handler: async ({ query, store }) => ({
        body: await clouds(store).find({ sort: { field: 'name', dir: 'asc' }, ...pagingOptions(query) }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/clouds',
      summary: 'Register a cloud (provider, tier, site, DR role, network zone)',
      tags: ['clusters'],
      permission: 'clusters:create',
      body: CloudCreateSchema,
      audit: { action: 'cloud.create', targetType: 'cloud' },
      responses: { 201: { description: 'created', schema: CloudSchema } },
      handler: async ({ body, store }) => ({
        status: 201,
        body: await clouds(store).insert({ ...body, id: randomUUID(), schemaVersion: 1 }),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/clouds/:id',
      summary: 'Delete a cloud without clusters',
      tags: ['clusters'],
      permission: 'clusters:delete',
      params: IdParams,
      audit: { action: 'cloud.delete', targetType: 'cloud' },
      responses: { 204: { description: 'deleted' }, 409: { description: 'clusters remain' } },
      handler: async ({ params, store }) => {
        if ((await clusters(store).count({ cloudId: params.id })) > 0)
          throw new HttpError(409, 'the cloud still has clusters');
        if (!(await clouds(store).delete(params.id))) throw new HttpError(404, 'not found');
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/clusters',
      summary: 'List clusters with their connection status',
      tags: ['clusters'],
      permission: 'clusters:read',
      query: z.object({
        ...PageQuery,
        cloudId: z.string().max(256).optional(),
        status: ClusterStatus.optional(),
      }),
      responses: {
        200: { description: 'a page of clusters', schema: pageSchema(ClusterSchema, 'ClusterPage') },
      },
      handler: async ({ query, store }) => ({
        body: await clusters(store).find({
          filter: {
            ...(query.cloudId ? { cloudId: query.cloudId } : {}),
            ...(query.status ? { status: query.status } : {}),
          },
          sort: { field: 'name', dir: 'asc' },
          ...pagingOptions(query),
        }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/clusters/:id',
      summary: 'One cluster',
      tags: ['clusters'],
      permission: 'clusters:read',
      params: IdParams,
      responses: { 200: { description: 'the cluster', schema: ClusterSchema } },
      handler: async ({ params, store }) => {
        const cluster = await clusters(store).get(params.id);
        if (!cluster) throw new HttpError(404, 'not found');
        return { body: cluster };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/clusters',
      summary: 'Register a cluster with its kubeconfig',
      tags: ['clusters'],
      permission: 'clusters:create',
      body: ClusterRegistration,
      audit: { action: 'cluster.create', targetType: 'cluster' },
      responses: { 201: { description: 'registered; collection starts', schema: ClusterSchema } },
      handler: async ({ body, store, auditDetails }) => {
        const { kubeconfig, context, inCluster, ...fields } = body;
        if (!(await clouds(store).get(fields.cloudId)))
          throw new HttpError(400, 'unknown cloud', [{ path: 'body.cloudId', message: 'unknown cloud' }]);
        const id = randomUUID();
        let credentials: { apiServerUrl: string; credentialRef: string };
        if (inCluster) {
          let server: string;
          try {
            server = inClusterKubeconfig().getCurrentCluster()!.server;
          } catch {
            throw new HttpError(400, 'inCluster: Yunshu is not running in a Kubernetes pod', [
              { path: 'body.inCluster', message: 'no service account mounted' },
            ]);
          }
          credentials = { apiServerUrl: server, credentialRef: IN_CLUSTER_REF };
        } else {
          const loaded = checked(kubeconfig!, context);
          const secret = await sealKubeconfig(deps.secrets, id, kubeconfig!, loaded.context);
          credentials = { apiServerUrl: loaded.server, credentialRef: kubeconfigRef(secret.id) };
        }
        const created = await clusters(store).insert({
          ...fields,
          ...credentials,
          id,
          schemaVersion: 1,
          status: 'unknown',
        });
        auditDetails({ name: created.name, server: credentials.apiServerUrl, inCluster: Boolean(inCluster) });
        refresh();
        return { status: 201, body: created };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/clusters/:id',
      summary: 'Change a cluster, or rotate its credentials',
      tags: ['clusters'],
      permission: 'clusters:update',
      params: IdParams,
      body: ClusterPatch,
      audit: { action: 'cluster.update', targetType: 'cluster' },
      responses: { 200: { description: 'updated', schema: ClusterSchema } },
      handler: async ({ params, body, store, auditDetails }) => {
        const current = await clusters(store).get(params.id);
        if (!current) throw new HttpError(404, 'not found');
        const { kubeconfig, context, ...fields } = body;
        let credentials = {};
        if (kubeconfig) {
          const loaded = checked(kubeconfig, context);
          const secret = await sealKubeconfig(deps.secrets, current.id, kubeconfig, loaded.context);
          credentials = { apiServerUrl: loaded.server, credentialRef: kubeconfigRef(secret.id) };
        }
        auditDetails({ fields: Object.keys(body), rotatedCredentials: Boolean(kubeconfig) });
        const updated = await clusters(store).update(params.id, { ...fields, ...credentials });
        const previous = secretIdOf(current.credentialRef);
        if (kubeconfig && previous) await deps.secrets.delete(previous);
        refresh();
        return { body: updated };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/clusters/:id',
      summary: 'Unregister a cluster: stops collection, removes its inventory and credentials',
      tags: ['clusters'],
      permission: 'clusters:delete',
      params: IdParams,
      audit: { action: 'cluster.delete', targetType: 'cluster' },
      responses: { 204: { description: 'deleted' } },
      handler: async ({ params, store }) => {
        const cluster = await clusters(store).get(params.id);
        if (!cluster) throw new HttpError(404, 'not found');
        await clusters(store).delete(params.id);
        await deps.fleet?.refresh();
        for (const name of ['nodes', 'namespaces', 'workloads', 'pods'])
          await store.collection(name).deleteMany({ clusterId: params.id });
        const secretId = secretIdOf(cluster.credentialRef);
        if (secretId) await deps.secrets.delete(secretId);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/clusters/:id/test',
      summary: 'Test the connection to the API server now',
      tags: ['clusters'],
      permission: 'clusters:read',
      params: IdParams,
      audit: { action: 'cluster.test', targetType: 'cluster' },
      responses: { 200: { description: 'the outcome (ok false when unreachable)', schema: ConnectionTest } },
      handler: async ({ params, store }) => {
        const cluster = await clusters(store).get(params.id);
        if (!cluster) throw new HttpError(404, 'not found');
        const secretId = secretIdOf(cluster.credentialRef);
        let kc;
        if (cluster.credentialRef === IN_CLUSTER_REF) kc = inClusterKubeconfig();
        else if (secretId) kc = (await revealKubeconfig(deps.secrets, secretId)).kc;
        else return { body: { ok: false, error: 'the cluster has no usable credentials' } };
        const started = performance.now();
        try {
          const version = await getJson<{ gitVersion?: string }>(kc, '/version', {}, 5_000);
          return {
            body: {
              ok: true,
              ...(version.gitVersion ? { kubernetesVersion: version.gitVersion } : {}),
              latencyMs: Math.round(performance.now() - started),
            },
          };
        } catch (error) {
          return { body: { ok: false, error: (error as Error).message } };
        }
      },
    }),
  ];
}
