/**
 * The MTTx timestamps of merged and split incidents, kept consistent with the model's invariants.
 *
 * Merge: the target takes the earliest start (occurredAt, detectedAt) and the earliest responses
 * (acknowledgedAt, containedAt with its containedBy) of all merged incidents: the merged threat was
 * detected and answered when its first part was. Status, resolvedAt, closedAt and the verdict stay
 * the target's.
 *
 * Split: the new incident's timestamps are recomputed from the moved alerts' own timeline entries
 * (their first occurrence, their earliest source event, their first acknowledgement); containment
 * and resolution belong to the incident they happened on and stay there.
 */
import type { Alert } from '../model/alert.js';
import type { Incident, TimelineEntry } from '../model/incident.js';
import type { DocPatch } from '../store/port.js';
import { combinedFacets, facetsOf } from './alert-facets.js';
import { withEntries } from './timeline.js';

const earliest = (values: readonly (string | undefined)[]): string | undefined =>
  values.filter((v): v is string => v !== undefined).sort()[0];

/** The target's new fields after absorbing `others` (whose alerts it takes over). */
export function mergedInto(
  target: Incident,
  others: readonly Incident[],
  note: TimelineEntry,
): DocPatch<Incident> {
  const all = [target, ...others];
  const firstContained = all
    .filter((i) => i.containedAt !== undefined)
    .sort((a, b) => a.containedAt!.localeCompare(b.containedAt!))[0];
  return {
    ...combinedFacets(...all),
    alertIds: [...new Set(all.flatMap((i) => i.alertIds))],
    occurredAt: earliest(all.map((i) => i.occurredAt)),
    detectedAt: earliest(all.map((i) => i.detectedAt))!,
    acknowledgedAt: earliest(all.map((i) => i.acknowledgedAt)),
    containedAt: firstContained?.containedAt,
    containedBy: firstContained?.containedBy,
    timeline: withEntries(target.timeline, [...others.flatMap((i) => i.timeline), note]),
  };
}

/** Entries about one of the alerts (occurrences, source events, acknowledgements). */
const aboutAlerts = (entry: TimelineEntry, ids: ReadonlySet<string>): boolean =>
  entry.ref?.type === 'alert' && ids.has(entry.ref.id) && entry.kind !== 'comment';

export interface SplitResult {
  /** The new incident's MTTx and alert fields (without id, title, tenant…). */
  split: Pick<
    Incident,
    'alertIds' | 'severity' | 'clusterIds' | 'sources' | 'detectedAt' | 'timeline' | 'status'
  > &
    Partial<Pick<Incident, 'occurredAt' | 'acknowledgedAt'>>;
  /** What changes on the source incident. */
  source: DocPatch<Incident>;
}

export function splitOff(
  source: Incident,
  moved: readonly Alert[],
  remaining: readonly Alert[],
  notes: { split: TimelineEntry; source: TimelineEntry },
): SplitResult {
  const ids = new Set(moved.map((a) => a.id));
  const entries = source.timeline.filter((e) => aboutAlerts(e, ids));
  const at = (kind: TimelineEntry['kind']) =>
    earliest(entries.filter((e) => e.kind === kind).map((e) => e.at));
  // Hand-added alerts have no occurrence entry before their first one here; firstSeenAt stands in.
  const detectedAt = at('alert') ?? earliest(moved.map((a) => a.firstSeenAt))!;
  const occurredAt = at('event');
  const acknowledgedAt = at('status_change');
  return {
    split: {
      ...facetsOf(moved),
      alertIds: moved.map((a) => a.id),
      detectedAt,
      ...(occurredAt !== undefined ? { occurredAt: occurredAt < detectedAt ? occurredAt : detectedAt } : {}),
      ...(acknowledgedAt !== undefined
        ? { acknowledgedAt: acknowledgedAt < detectedAt ? detectedAt : acknowledgedAt }
        : {}),
      status: acknowledgedAt !== undefined ? 'acknowledged' : 'open',
      timeline: withEntries(entries, [notes.split]),
    },
    source: {
      ...facetsOf(remaining),
      alertIds: source.alertIds.filter((id) => !ids.has(id)),
      timeline: withEntries(
        source.timeline.filter((e) => !aboutAlerts(e, ids)),
        [notes.source],
      ),
    },
  };
}
