/**
 * Runs one correlation rule over the hits of the rules it references, on event time (epoch ms).
 *
 * Semantics, per group (the values of the group-by fields; a hit lacking one of them is not counted):
 * - Conditions with only a lower bound (`gt`, `gte`; temporal types by default) use a window that
 *   slides with each hit: the correlation fires as soon as the hits within the last `timespan`
 *   satisfy it. temporal_ordered fires when the listed rules have hit in that order within it.
 * - Conditions with an upper bound (`lt`, `lte`, `eq`, ranges) can only be judged once the window is
 *   over: the window opens at the group's first hit, lasts `timespan`, and is judged when event time
 *   (the newest event the engine has seen) passes its end. Groups that never hit cannot fire.
 * - A SOC wants one alert per burst: after firing, the group starts over and ignores hits until
 *   `timespan` after the firing hit, so a group fires at most once per timespan.
 * - State is bounded: groups whose window is over are dropped as event time advances, and past
 *   `maxGroups` the least recently active group is evicted (a pending upper-bound window is lost).
 *   Hits older than a group's window are ignored (out-of-order arrival within it is fine).
 */
import { boundsOf, type CountCondition } from './count-condition.js';
import type { CorrelationType } from './parse-correlation.js';
import { CountingWindow, OrderedChain, evidenceOf, type Contribution, type Evidence } from './windows.js';

type Read = (view: Record<string, unknown>) => unknown;

export interface CorrelatorSpec {
  type: CorrelationType;
  ruleCount: number;
  timespanMs: number;
  condition: CountCondition;
  /** Per group-by field: its name in the hit, and how to read it from each referenced rule's view. */
  groupBy: { name: string; read: Read[] }[];
  /** value_count: how to read the counted field from each referenced rule's view. */
  value?: Read[];
  maxGroups: number;
}

export interface CorrelationFiring extends Evidence {
  groupBy: Record<string, string>;
}

interface Group {
  values: Record<string, string>;
  window: CountingWindow | OrderedChain;
  openedAt: number;
  lastTime: number;
  mutedUntil: number;
}

/** Group-by values are compared as text; structured values (e.g. `user.groups`) by their JSON. */
function keyText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export class Correlator {
  private readonly groups = new Map<string, Group>();
  private readonly min: number;
  private readonly max: number;
  /** Upper-bound conditions are judged when the window is over, not as hits arrive. */
  private readonly judgedAtEnd: boolean;

  constructor(private readonly spec: CorrelatorSpec) {
    const { min, max } = boundsOf(spec.condition);
    this.min = Math.max(min, 1);
    this.max = max;
    this.judgedAtEnd = max !== Infinity;
  }

  get groupCount(): number {
    return this.groups.size;
  }

  /** Feeds a hit of referenced rule `index`; returns the firing it completes, if any. */
  observe(index: number, part: Contribution, view: Record<string, unknown>): CorrelationFiring | undefined {
    const values: Record<string, string> = {};
    for (const field of this.spec.groupBy) {
      const text = keyText(field.read[index]!(view));
      if (text === undefined) return undefined;
      values[field.name] = text;
    }
    let key: unknown;
    if (this.spec.type === 'value_count') {
      key = keyText(this.spec.value![index]!(view));
      if (key === undefined) return undefined;
    } else if (this.spec.type === 'temporal') {
      key = index;
    }

    const group = this.groupFor(JSON.stringify(Object.values(values)), values, part.time);
    if (part.time < group.mutedUntil) return undefined;
    if (this.judgedAtEnd && part.time > group.openedAt + this.spec.timespanMs) return undefined;
    group.lastTime = Math.max(group.lastTime, part.time);

    if (group.window instanceof OrderedChain) {
      const parts = group.window.add(index, part);
      return parts ? this.fire(group, parts) : undefined;
    }
    group.window.add(part, key);
    if (this.judgedAtEnd) return undefined;
    group.window.dropBefore(group.lastTime - this.spec.timespanMs);
    return group.window.count >= this.min ? this.fire(group, group.window.parts) : undefined;
  }

  /** Judges windows that are over at event time `now` and forgets groups that can no longer fire. */
  close(now: number): CorrelationFiring[] {
    const firings: CorrelationFiring[] = [];
    for (const [key, group] of this.groups) {
      const end = this.judgedAtEnd
        ? group.openedAt + this.spec.timespanMs
        : Math.max(group.lastTime + this.spec.timespanMs, group.mutedUntil);
      if (end >= now) break;
      this.groups.delete(key);
      const window = group.window as CountingWindow;
      if (this.judgedAtEnd && window.count >= this.min && window.count <= this.max) {
        firings.push({ groupBy: group.values, ...evidenceOf(window.parts) });
      }
    }
    return firings;
  }

  clear(): void {
    this.groups.clear();
  }

  private groupFor(key: string, values: Record<string, string>, time: number): Group {
    const existing = this.groups.get(key);
    if (existing) {
      // Sliding groups are kept in order of activity so the stale ones are at the front.
      if (!this.judgedAtEnd) {
        this.groups.delete(key);
        this.groups.set(key, existing);
      }
      return existing;
    }
    if (this.groups.size >= this.spec.maxGroups) this.groups.delete(this.groups.keys().next().value!);
    const group: Group = {
      values,
      window: this.newWindow(),
      openedAt: time,
      lastTime: time,
      mutedUntil: -Infinity,
    };
    this.groups.set(key, group);
    return group;
  }

  private newWindow(): CountingWindow | OrderedChain {
    return this.spec.type === 'temporal_ordered'
      ? new OrderedChain(this.spec.ruleCount, this.spec.timespanMs)
      : new CountingWindow(this.judgedAtEnd ? this.max + 1 : this.min);
  }

  private fire(group: Group, parts: readonly Contribution[]): CorrelationFiring {
    const firing = { groupBy: group.values, ...evidenceOf(parts) };
    group.window = this.newWindow();
    group.mutedUntil = firing.lastEventTime + this.spec.timespanMs;
    return firing;
  }
}
