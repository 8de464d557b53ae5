/**
 * Which open incident an alert joins: one holding an alert about the same entity (same tenant and
 * workload, pod or acting user) seen within the grouping window before this detection. A
 * correlation alert joins only an incident holding alerts of the rules it combined.
 *
 * The lookup goes through the alerts (indexed by cluster and time), not the incidents: it reads at
 * most a few recent alerts per entity, and an incident is as recent as its latest alert.
 */
import type { Alert } from '../model/alert.js';
import type { Incident } from '../model/incident.js';
import type { Store } from '../store/port.js';
import type { EntityRef } from './entity.js';
import { isOpen } from './lifecycle.js';

export const DEFAULT_GROUP_WINDOW_MS = 30 * 60_000;

/** Recent alerts read per entity; the newest come first, so a few suffice. */
const CANDIDATES_PER_ENTITY = 20;

export interface GroupQuery {
  alert: Alert;
  entities: readonly EntityRef[];
  windowMs: number;
  baseRuleIds?: readonly string[];
}

export async function findOpenGroup(store: Store, query: GroupQuery): Promise<Incident | undefined> {
  const { alert, entities, windowMs, baseRuleIds } = query;
  const since = new Date(Date.parse(alert.lastSeenAt) - windowMs).toISOString();
  const alerts = store.collection<Alert>('alerts');
  const recent: Alert[] = [];
  for (const entity of entities) {
    const page = await alerts.find({
      filter: {
        ...entity.filter,
        lastSeenAt: { gte: since },
        incidentId: { exists: true },
        id: { ne: alert.id },
        ...(baseRuleIds ? { ruleId: { in: [...baseRuleIds] } } : {}),
      },
      sort: { field: 'lastSeenAt', dir: 'desc' },
      limit: CANDIDATES_PER_ENTITY,
    });
    recent.push(...page.items);
  }
  recent.sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
  const incidents = store.collection<Incident>('incidents');
  const tenantId = alert.tenantId ?? null;
  for (const incidentId of new Set(recent.map((a) => a.incidentId!))) {
    const incident = await incidents.get(incidentId, { tenantId });
    if (incident && isOpen(incident)) return incident;
  }
  return undefined;
}
