/**
 * One event's field values as rules read them. A rule set tests every event against many rules
 * that mostly read the same few fields (`verb`, `objectRef.resource`, `user.username`), so each
 * field is read, and its text lowercased, at most once per event instead of once per rule.
 */
import type { SigmaEvent } from './compile.js';

type Accessor = (event: SigmaEvent) => unknown;

/** A field rules read; `slot` is its place in every event's memo, -1 when it is not memoised. */
export interface EventField {
  readonly slot: number;
  readonly read: Accessor;
}

const hasOwn = Object.hasOwn;

/** Reads `a.b.c` as a flat key first (ECS-style flattened events), then as a nested path. */
export function dotPath(path: string): Accessor {
  const segments = path.split('.');
  return (event) => {
    if (hasOwn(event, path)) return event[path];
    let current: unknown = event;
    for (const segment of segments) {
      if (typeof current !== 'object' || current === null || !hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
    return current;
  };
}

// Every rule reading the same dot path shares one slot. Grows with the distinct paths ever
// compiled, which rule texts bound.
const byPath = new Map<string, EventField>();

/** The shared field for an event dot path. */
export function pathField(path: string): EventField {
  let field = byPath.get(path);
  if (!field) byPath.set(path, (field = { slot: byPath.size, read: dotPath(path) }));
  return field;
}

/** A field whose lookup cannot be shared between rules (a mapping function's), read every time. */
export const unsharedField = (read: Accessor): EventField => ({ slot: -1, read });

// Marks a slot read as `undefined`, which an unread slot also holds.
const ABSENT = Symbol('absent');

export class EventFields {
  // Slot i holds the value at 2i and its lowercased text at 2i + 1; one array sized for every
  // path known so far saves allocations on the hot path.
  private readonly memo: unknown[] = new Array<unknown>(2 * byPath.size);

  constructor(readonly event: SigmaEvent) {}

  value(field: EventField): unknown {
    const slot = field.slot;
    if (slot < 0) return field.read(this.event);
    const known = this.memo[2 * slot];
    if (known !== undefined) return known === ABSENT ? undefined : known;
    const value = field.read(this.event);
    this.memo[2 * slot] = value === undefined ? ABSENT : value;
    return value;
  }

  /** `text` lowercased; `text` must be the text of `field`'s (scalar) value in this event. */
  lowerText(field: EventField, text: string): string {
    const slot = field.slot;
    if (slot < 0) return text.toLowerCase();
    let lower = this.memo[2 * slot + 1] as string | undefined;
    if (lower === undefined) this.memo[2 * slot + 1] = lower = text.toLowerCase();
    return lower;
  }
}
