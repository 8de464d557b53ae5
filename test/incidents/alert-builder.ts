/** Alerts as the pipeline stores them, and the notices it sends, for incident tests. */
import { createHash } from 'node:crypto';
import type { Alert } from '../../server/model/alert.js';
import type { Store } from '../../server/store/port.js';

export type AlertFields = Partial<Omit<Alert, 'id' | 'version' | 'createdAt' | 'updatedAt'>>;

/** Stores an alert; `id` also seeds its fingerprint. Defaults: a high Falco alert on pod web-1. */
export async function storeAlert(store: Store, id: string, fields: AlertFields = {}): Promise<Alert> {
  const lastSeenAt = fields.lastSeenAt ?? '2026-11-20T10:00:00.000Z';
  return store.collection<Alert>('alerts').insert({
    id,
    schemaVersion: 1,
    fingerprint: createHash('sha256').update(id).digest('hex'),
    ruleId: 'terminal-shell-in-container',
    title: `Shell in container (${id})`,
    severity: 'high',
    status: 'new',
    source: 'falco',
    occurrenceCount: 1,
    firstSeenAt: lastSeenAt,
    lastSeenAt,
    mitre: { tactics: [], techniques: [] },
    evidenceEventIds: [],
    searchText: '',
    k8s: {
      clusterId: 'gz-1',
      namespace: 'shop',
      workloadKind: 'Deployment',
      workloadName: 'web',
      pod: 'web-1',
    },
    tenantId: 't-a',
    ...fields,
  } as Alert);
}

/** Shifts an ISO time by seconds. */
export const plus = (iso: string, seconds: number): string =>
  new Date(Date.parse(iso) + seconds * 1000).toISOString();
