/**
 * Kubernetes labels and annotations use keys like `kubernetes.io/arch`. MongoDB-compatible servers
 * may refuse `.` or a leading `$` in field names (FerretDB v1 refuses both), so keys are stored with
 * those characters swapped for their full-width look-alikes and swapped back on read. Field paths
 * in queries are plain identifiers (fields.ts), so they never need the swap.
 */
const TO_STORED: Record<string, string> = { '.': '\uFF0E', $: '\uFF04' };
const TO_READ: Record<string, string> = { '\uFF0E': '.', '\uFF04': '$' };

const encodeKey = (key: string) => key.replace(/[.$]/g, (c) => TO_STORED[c]!);
const decodeKey = (key: string) => key.replace(/[\uFF0E\uFF04]/g, (c) => TO_READ[c]!);

function mapKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => mapKeys(item, rename));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[rename(key)] = mapKeys(inner, rename);
  return out;
}

export const encodeFieldNames = <T>(doc: T): T => mapKeys(doc, encodeKey) as T;
export const decodeFieldNames = <T>(doc: T): T => mapKeys(doc, decodeKey) as T;
