/**
 * Receivers for security telemetry: POST /api/v1/ingest/{k8s-audit,falco,alertmanager,ocsf}.
 *
 * Senders authenticate with an API token holding `events:ingest`; a per-source token (`ingest`
 * binding) may only post its sources, and its cluster is the events' cluster. The body is read as
 * text (JSON, a JSON array or NDJSON, up to 16 MB) so audit log files can be uploaded as they are.
 * 202 = stored; 400 = nothing stored, every bad record and field named; 429 = come back later.
 */
import express, { type RequestHandler } from 'express';
import { HttpError } from '../http/errors.js';
import { defineRoute, principalOf, type RouteSpec } from '../http/route.js';
import { z } from '../model/common.js';
import { formatRejection } from '../ingest/normalize/index.js';
import {
  IngestOverloadedError,
  IngestRejectedError,
  type IngestPipeline,
} from '../ingest/ingest-pipeline.js';
import { RECEIVERS, type ReceiverSource } from '../ingest/receivers.js';
import type { DetectionWorker } from '../detection/detection-worker.js';

export const INGEST_BODY_LIMIT = '16mb';
// Details beyond this many are summarised: a 50,000-line upload of the wrong file must not answer 10 MB.
const MAX_DETAILS = 100;

const IngestAccepted = z
  .object({
    accepted: z.int().describe('Events stored and queued for detection'),
    deduplicated: z.int().describe('Events already stored earlier (re-delivery), not stored again'),
    skipped: z
      .int()
      .describe('Valid records that are not security events (e.g. audit stage RequestReceived)'),
  })
  .openapi('IngestAccepted');

const IngestQuery = z.object({
  clusterId: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe('Cluster the events come from; fixed by a cluster-bound ingest token'),
  node: z.string().min(1).max(253).optional().describe('Node the upload is about (kube-bench runs per node)'),
});

// Authentication before reading up to 16 MB: the route's own check comes after body parsing.
const requireCredentials: RequestHandler = (_req, res, next) =>
  next(
    principalOf(res)
      ? undefined
      : new HttpError(401, 'authentication required', [], { 'WWW-Authenticate': 'Bearer' }),
  );

const readText = express.text({ type: () => true, limit: INGEST_BODY_LIMIT });

const SUMMARIES: Record<ReceiverSource, string> = {
  'k8s-audit':
    'Kubernetes audit: an audit.k8s.io/v1 Event, EventList, or NDJSON of Events (GKE / AKS wrappers unwrapped)',
  falco: 'Falco: one alert (falco JSON output or falcosidekick), an array, or NDJSON',
  alertmanager: 'Prometheus Alertmanager webhook payload',
  ocsf: 'OCSF events: one, an array, or NDJSON',
  'kube-bench':
    'kube-bench --json output of one node (pass clusterId and node); FAIL and WARN results become findings',
  trivy: 'Trivy-operator VulnerabilityReport / ConfigAuditReport objects: one, a List, an array or NDJSON',
};

const Counter = z.int().nonnegative();
const IngestStats = z
  .object({
    sources: z
      .record(
        z.string(),
        z.object({
          batches: Counter.describe('Batches stored'),
          accepted: Counter.describe('Events stored'),
          rejected: Counter.describe('Invalid records refused (their batches were not stored)'),
          deduplicated: Counter.describe('Re-delivered events not stored again'),
          skipped: Counter.describe('Valid records that are not security events'),
          overloaded: Counter.describe('Batches refused with 429'),
        }),
      )
      .describe('Counters per source since this process started'),
    detection: z.object({
      queuedEvents: Counter.describe('Stored events waiting for detection'),
      events: Counter.describe('Events through detection'),
      hits: Counter.describe('Rule hits'),
      failures: Counter.describe('Batches whose detection failed (replayed from the checkpoint)'),
      latencyP50Ms: z.number().nullable().describe('Event-to-alert latency, median of recent hits'),
      latencyP99Ms: z.number().nullable().describe('Event-to-alert latency, 99th percentile of recent hits'),
    }),
  })
  .openapi('IngestStats');

export function ingestRoutes(deps: { pipeline: IngestPipeline; detection: DetectionWorker }): RouteSpec[] {
  return [...receiverRoutes(deps), statsRoute(deps)];
}

function statsRoute(deps: { pipeline: IngestPipeline; detection: DetectionWorker }): RouteSpec {
  return defineRoute({
    method: 'get',
    path: '/api/v1/ingest/stats',
    summary: 'Ingest and detection counters of this process: accepted, rejected, deduplicated, latency',
    tags: ['ingest'],
    permission: 'events:read',
    responses: { 200: { description: 'the counters', schema: IngestStats } },
    handler: () => {
      const { detection } = deps;
      return {
        body: {
          sources: Object.fromEntries(deps.pipeline.counters),
          detection: {
            queuedEvents: detection.queuedEvents,
            ...detection.stats,
            latencyP50Ms: detection.latency.percentile(0.5) ?? null,
            latencyP99Ms: detection.latency.percentile(0.99) ?? null,
          },
        },
      };
    },
  });
}

function receiverRoutes(deps: { pipeline: IngestPipeline }): RouteSpec[] {
  return (Object.keys(RECEIVERS) as ReceiverSource[]).map((source) =>
    defineRoute({
      method: 'post',
      path: `/api/v1/ingest/${source}`,
      summary: SUMMARIES[source],
      tags: ['ingest'],
      permission: 'events:ingest',
      middleware: [requireCredentials, readText],
      query: IngestQuery,
      audit: { action: 'events.ingest', targetType: 'event_source' },
      responses: {
        202: { description: 'stored; detection follows', schema: IngestAccepted },
        400: { description: 'invalid records (nothing stored); details name record and field' },
        403: { description: 'the token is not for this source or cluster' },
        413: { description: 'body over 16 MB' },
        429: { description: 'overloaded; see Retry-After' },
      },
      handler: async ({ query, principal, req, auditDetails }) => {
        const binding = principal.ingest;
        if (binding && !binding.sources.includes(source))
          throw new HttpError(403, `this ingest token is for ${binding.sources.join(', ')}, not ${source}`, [
            { path: 'source', message: source },
          ]);
        if (binding?.clusterId && query.clusterId && query.clusterId !== binding.clusterId)
          throw new HttpError(403, `this ingest token sends for cluster ${binding.clusterId}`, [
            { path: 'query.clusterId', message: query.clusterId },
          ]);
        const clusterId = binding?.clusterId ?? query.clusterId;
        const text = typeof req.body === 'string' ? req.body : '';
        if (text.trim() === '')
          throw new HttpError(400, 'empty body', [{ path: 'body', message: 'no records' }]);
        try {
          const result = await deps.pipeline.ingest({
            source,
            payload: text,
            ...(clusterId ? { clusterId } : {}),
            ...(query.node ? { node: query.node } : {}),
            ...(principal.tenantIds ? { tenantIds: principal.tenantIds } : {}),
          });
          auditDetails({ source, ...(clusterId ? { clusterId } : {}), ...result });
          return { status: 202, body: result };
        } catch (err) {
          if (err instanceof IngestRejectedError) {
            auditDetails({ source, rejected: err.rejections.length });
            const shown = err.rejections.slice(0, MAX_DETAILS);
            throw new HttpError(
              400,
              `${err.rejections.length} invalid field(s) in the batch, first ${formatRejection(err.rejections[0]!)}; nothing was stored`,
              shown.map((r) => ({
                path: `body${r.path.startsWith('[') ? '' : '.'}${r.path}`,
                message: r.message,
              })),
            );
          }
          if (err instanceof IngestOverloadedError)
            throw new HttpError(429, err.message, [], { 'Retry-After': String(err.retryAfterSeconds) });
          throw err;
        }
      },
    }),
  );
}
