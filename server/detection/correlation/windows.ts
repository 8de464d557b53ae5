/**
 * The per-group state of one correlation: what contributed within the timespan. Memory is bounded
 * by the rule itself: a counting window keeps at most as many entries as the condition needs to be
 * decided, an ordered chain one link per referenced rule.
 */

/** One hit feeding a correlation: a detection's event, or a whole lower correlation's hit. */
export interface Contribution {
  eventIds: readonly string[];
  firstTime: number;
  /** The time the contribution counts at: its (latest) event time. */
  time: number;
}

export interface Evidence {
  eventIds: string[];
  firstEventTime: number;
  lastEventTime: number;
}

export const MAX_EVIDENCE = 50;

/** Event ids of the contributions, oldest first, de-duplicated; past the cap, the oldest and the latest. */
export function evidenceOf(parts: readonly Contribution[]): Evidence {
  const ids = [...new Set(parts.flatMap((part) => part.eventIds))];
  return {
    eventIds: ids.length > MAX_EVIDENCE ? [...ids.slice(0, MAX_EVIDENCE - 1), ids.at(-1)!] : ids,
    firstEventTime: Math.min(...parts.map((part) => part.firstTime)),
    lastEventTime: Math.max(...parts.map((part) => part.time)),
  };
}

interface Entry extends Contribution {
  key: unknown;
}

/**
 * Contributions sorted by time, at most one per `key`: every event for event_count (key undefined),
 * one per distinct value for value_count, one per rule for temporal. Keeping the latest per key
 * leaves the count unchanged while letting it stay in a sliding window longest.
 */
export class CountingWindow {
  private entries: Entry[] = [];

  /** `cap`: entries beyond it cannot change the outcome (the condition's upper bound + 1). */
  constructor(private readonly cap: number) {}

  get count(): number {
    return this.entries.length;
  }

  get parts(): readonly Contribution[] {
    return this.entries;
  }

  add(part: Contribution, key: unknown): void {
    if (key !== undefined) {
      const same = this.entries.findIndex((entry) => entry.key === key);
      if (same >= 0) {
        if (this.entries[same]!.time > part.time) return;
        this.entries.splice(same, 1);
      }
    }
    if (this.entries.length >= this.cap) return;
    let at = this.entries.length;
    while (at > 0 && this.entries[at - 1]!.time > part.time) at--;
    this.entries.splice(at, 0, { ...part, key });
  }

  /** Drops what happened before `time`. */
  dropBefore(time: number): void {
    const keep = this.entries.findIndex((entry) => entry.time >= time);
    this.entries = keep < 0 ? [] : this.entries.slice(keep);
  }
}

interface Link {
  start: number;
  time: number;
  parts: Contribution[];
}

/**
 * temporal_ordered: `links[i]` is the chain through rules 0..i that started latest (so it stays
 * within the timespan longest). A hit of rule i extends links[i-1] if that ended no later than the
 * hit and began at most `timespanMs` before it; equal times count as in order.
 */
export class OrderedChain {
  private readonly links: (Link | undefined)[];

  constructor(
    ruleCount: number,
    private readonly timespanMs: number,
  ) {
    this.links = new Array<Link | undefined>(ruleCount).fill(undefined);
  }

  /** Records a hit of rule `index`; returns the contributions when the chain is complete. */
  add(index: number, part: Contribution): Contribution[] | undefined {
    let link: Link;
    if (index === 0) {
      link = { start: part.time, time: part.time, parts: [part] };
    } else {
      const previous = this.links[index - 1];
      if (!previous || previous.time > part.time || part.time - previous.start > this.timespanMs)
        return undefined;
      link = { start: previous.start, time: part.time, parts: [...previous.parts, part] };
    }
    const current = this.links[index];
    if (!current || current.start <= link.start) this.links[index] = link;
    return index === this.links.length - 1 ? this.links[index]!.parts : undefined;
  }
}
