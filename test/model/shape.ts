/** Walks zod object shapes by dot path, the way the store adapters address document fields. */
import type { z } from '../../server/model/index.js';

type Schema = z.core.$ZodType;

export interface Field {
  /** The field's schema with optional/default/nullable wrappers removed. */
  schema: Schema;
  /** Whether every parsed document has a value at this path (no optional step on the way). */
  alwaysPresent: boolean;
}

/** Strips wrappers; a field is present when a default comes before any optional/nullable. */
function unwrap(schema: Schema): Field {
  let current = schema;
  let alwaysPresent: boolean | undefined;
  for (;;) {
    const def = current._zod.def;
    if (def.type === 'default' || def.type === 'prefault') alwaysPresent ??= true;
    else if (def.type === 'optional' || def.type === 'nullable') alwaysPresent ??= false;
    else if (def.type !== 'readonly' && def.type !== 'nonoptional') break;
    current = (def as unknown as { innerType: Schema }).innerType;
  }
  return { schema: current, alwaysPresent: alwaysPresent ?? true };
}

/** The field at `path` (e.g. `k8s.clusterId`), or undefined when the shape has no such field. */
export function fieldAt(root: Schema, path: string): Field | undefined {
  let field: Field = { schema: root, alwaysPresent: true };
  for (const key of path.split('.')) {
    const def = field.schema._zod.def;
    if (def.type !== 'object') return undefined;
    const next = (def as unknown as { shape: Record<string, Schema> }).shape[key];
    if (next === undefined) return undefined;
    const inner = unwrap(next);
    field = { schema: inner.schema, alwaysPresent: field.alwaysPresent && inner.alwaysPresent };
  }
  return field;
}

const SCALAR_TYPES = new Set(['string', 'number', 'boolean', 'enum', 'literal']);

/** Whether values of the schema are single strings, numbers or booleans (indexable as one key). */
export function isScalar(schema: Schema): boolean {
  const def = schema._zod.def;
  if (def.type === 'union') return (def as unknown as { options: Schema[] }).options.every(isScalar);
  return SCALAR_TYPES.has(def.type);
}
