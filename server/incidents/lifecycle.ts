/**
 * Incident status transitions and the MTTx timestamps they record. Timestamps record the first time
 * a state was reached and are never moved later, so MTTA/MTTC measure the first response:
 *
 *   open → acknowledged → contained → resolved → closed   (steps may be skipped)
 *   resolved | closed → open                              (reopen)
 *
 * Reaching acknowledged or any later state sets acknowledgedAt if missing (someone responded);
 * contained sets containedAt (containedBy 'manual'); resolved sets resolvedAt; closed sets closedAt
 * and resolvedAt if missing, and is the only status with a verdict. Reopening clears resolvedAt,
 * closedAt and the verdict (MTTR then measures the final resolution) but keeps acknowledgedAt and
 * containedAt. Moving backwards otherwise (e.g. contained → open) is refused: those facts happened.
 */
import type { Incident, IncidentStatus } from '../model/incident.js';
import type { Verdict } from '../model/fragments.js';
import type { DocPatch } from '../store/port.js';

const NEXT: Record<IncidentStatus, readonly IncidentStatus[]> = {
  open: ['acknowledged', 'contained', 'resolved', 'closed'],
  acknowledged: ['contained', 'resolved', 'closed'],
  contained: ['resolved', 'closed'],
  resolved: ['closed', 'open'],
  closed: ['open'],
};

export const OPEN_STATUSES: readonly IncidentStatus[] = ['open', 'acknowledged', 'contained'];

/** Open for grouping: not yet resolved or closed. */
export const isOpen = (incident: Pick<Incident, 'status'>): boolean =>
  OPEN_STATUSES.includes(incident.status);

/** A refused change, naming the field at fault. */
export class LifecycleError extends Error {
  constructor(
    readonly field: 'status' | 'verdict',
    message: string,
  ) {
    super(message);
    this.name = 'LifecycleError';
  }
}

/** A timestamp no earlier than detectedAt (clocks of replicas may disagree by a little). */
export const notBeforeDetection = (incident: Pick<Incident, 'detectedAt'>, at: string): string =>
  at < incident.detectedAt ? incident.detectedAt : at;

/**
 * The fields that change when `incident` goes to `status` at `at`, with the verdict if closing.
 * Keys mapped to undefined are removed. Throws LifecycleError for a refused transition.
 */
export function statusChange(
  incident: Incident,
  status: IncidentStatus,
  at: string,
  verdict?: Verdict,
): DocPatch<Incident> {
  if (verdict !== undefined && status !== 'closed')
    throw new LifecycleError('verdict', 'a verdict is only given when closing (status closed)');
  if (status === incident.status) return verdict === undefined ? {} : { verdict };
  if (!NEXT[incident.status].includes(status))
    throw new LifecycleError('status', `an incident cannot go from ${incident.status} to ${status}`);
  const when = notBeforeDetection(incident, at);
  if (status === 'open') return { status, resolvedAt: undefined, closedAt: undefined, verdict: undefined };
  const patch: DocPatch<Incident> = { status, acknowledgedAt: incident.acknowledgedAt ?? when };
  if (status === 'contained' && incident.containedAt === undefined) {
    patch.containedAt = when;
    patch.containedBy = 'manual';
  }
  if (status === 'resolved' || status === 'closed') patch.resolvedAt = incident.resolvedAt ?? when;
  if (status === 'closed') {
    patch.closedAt = when;
    if (verdict !== undefined) patch.verdict = verdict;
  }
  return patch;
}
