/**
 * Sample values as Prometheus sends them, kept exact.
 *
 * Prometheus encodes every sample value as a JSON string because JSON has no `+Inf`, `-Inf` or `NaN`.
 * `prometheus-query` runs them through `parseFloat`, which turns `"+Inf"` and `"-Inf"` into `NaN`.
 * We decode them ourselves and keep the original token in `raw`: `JSON.stringify` writes
 * Infinity and NaN as `null`, so after storing or sending a sample only `raw` still tells a `+Inf`
 * bucket bound from a `NaN` ratio. `reviveSample` restores `value` from `raw` on the way back in.
 */
import { z } from 'zod';

export interface Sample {
  /** Sample timestamp, ISO 8601 UTC with milliseconds. */
  readonly time: string;
  /** The value as a number: `+Inf` → Infinity, `-Inf` → -Infinity, `NaN` → NaN. */
  readonly value: number;
  /** The value exactly as Prometheus sent it, e.g. "0.25", "+Inf", "NaN". */
  readonly raw: string;
}

// Go's strconv.FormatFloat writes "+Inf", "-Inf" and "NaN"; other spellings are accepted defensively.
const SPECIAL: Readonly<Record<string, number>> = {
  '+inf': Infinity,
  inf: Infinity,
  '+infinity': Infinity,
  infinity: Infinity,
  '-inf': -Infinity,
  '-infinity': -Infinity,
  nan: NaN,
};

/** Decodes a Prometheus sample value; undefined when it is not a number at all. */
export function parseSampleValue(raw: string): number | undefined {
  const special = SPECIAL[raw.trim().toLowerCase()];
  if (special !== undefined) return special;
  // Number(), not parseFloat(): "12abc" is garbage, not 12; "" is garbage, not 0.
  const value = raw.trim() === '' ? NaN : Number(raw);
  return Number.isNaN(value) ? undefined : value;
}

/** Prometheus timestamps are float Unix seconds with millisecond precision. */
export function isoFromUnixSeconds(seconds: number): string {
  return new Date(Math.round(seconds * 1000)).toISOString();
}

/** Decodes a `[<unix_time>, "<sample_value>"]` pair; undefined when malformed. */
export function sampleFromPair(pair: unknown): Sample | undefined {
  if (!Array.isArray(pair) || pair.length !== 2) return undefined;
  const [seconds, raw] = pair as [unknown, unknown];
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || typeof raw !== 'string') return undefined;
  const value = parseSampleValue(raw);
  return value === undefined ? undefined : { time: isoFromUnixSeconds(seconds), value, raw };
}

const StoredSample = z.object({
  time: z.iso.datetime(),
  // null is how JSON.stringify wrote Infinity / NaN; `raw` is authoritative either way.
  value: z.number().nullable(),
  raw: z.string(),
});

/** Rebuilds a sample that went through JSON (a store, an API response), restoring ±Inf and NaN from `raw`. */
export function reviveSample(json: unknown): Sample {
  const stored = StoredSample.parse(json);
  const value = parseSampleValue(stored.raw);
  if (value === undefined) throw new Error(`sample raw value is not a number: ${JSON.stringify(stored.raw)}`);
  return { time: stored.time, value, raw: stored.raw };
}
