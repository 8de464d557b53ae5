/**
 * The incident timeline: entries in time order, at most MAX_TIMELINE_ENTRIES. When full, the
 * oldest machine entries (source events, alert occurrences) go first: they can be found again from
 * the alerts, while comments, status changes and playbook steps are the responders' own record and
 * go only when nothing else is left to drop.
 */
import type { TimelineEntry } from '../model/incident.js';

export const MAX_TIMELINE_ENTRIES = 10_000;

const REPLACEABLE = new Set<TimelineEntry['kind']>(['event', 'alert']);

/** Inserts entries in time order (after entries with the same time) and keeps the timeline bounded. */
export function withEntries(
  timeline: readonly TimelineEntry[],
  added: readonly TimelineEntry[],
  max = MAX_TIMELINE_ENTRIES,
): TimelineEntry[] {
  const merged = [...timeline];
  for (const entry of added) {
    let at = merged.length;
    while (at > 0 && merged[at - 1]!.at > entry.at) at--;
    merged.splice(at, 0, entry);
  }
  return bounded(merged, max);
}

function bounded(timeline: TimelineEntry[], max: number): TimelineEntry[] {
  let excess = timeline.length - max;
  if (excess <= 0) return timeline;
  const kept = timeline.filter((entry) => {
    if (excess > 0 && REPLACEABLE.has(entry.kind)) {
      excess--;
      return false;
    }
    return true;
  });
  return excess > 0 ? kept.slice(excess) : kept;
}

/** Whether the timeline already records this alert occurrence (onAlert is idempotent per occurrence). */
export const recordsOccurrence = (timeline: readonly TimelineEntry[], alertId: string, at: string): boolean =>
  timeline.some((entry) => entry.kind === 'alert' && entry.ref?.id === alertId && entry.at === at);
