import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as model from '../../server/model/index.js';
import {
  collectionSpecs,
  collections,
  z,
  type CollectionName,
  type EntityOf,
} from '../../server/model/index.js';
import { assertCollectionName, assertFieldPath } from '../../server/store/fields.js';
import { examples } from './examples.js';
import { fieldAt, isScalar } from './shape.js';

const entries = Object.entries(collections) as [CollectionName, (typeof collections)[CollectionName]][];

describe('collections registry', () => {
  test('names are unique, equal their keys and are valid store names', () => {
    const names = entries.map(([, c]) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const [key, c] of entries) {
      expect(c.name).toBe(key);
      expect(() => assertCollectionName(c.name)).not.toThrow();
    }
    expect(collectionSpecs.map((c) => c.name)).toEqual(names);
  });

  test.each(entries)('%s: every index path is a scalar field of the schema', (_name, c) => {
    for (const fields of [...c.indexes, ...c.unique]) {
      expect(fields.length).toBeGreaterThan(0);
      for (const path of fields) {
        expect(() => assertFieldPath(path)).not.toThrow();
        const field = fieldAt(c.schema, path);
        expect({ path, exists: field !== undefined }).toEqual({ path, exists: true });
        expect({ path, scalar: field !== undefined && isScalar(field.schema) }).toEqual({
          path,
          scalar: true,
        });
      }
    }
  });

  test.each(entries)('%s: unique index fields are present in every document', (_name, c) => {
    for (const path of c.unique.flat()) {
      expect({ path, alwaysPresent: fieldAt(c.schema, path)?.alwaysPresent }).toEqual({
        path,
        alwaysPresent: true,
      });
    }
  });

  test.each(entries)('%s: no index is declared twice', (_name, c) => {
    const keys = [...c.indexes, ...c.unique].map((fields) => fields.join(','));
    expect(new Set(keys).size).toBe(keys.length);
  });

  test.each(entries.filter(([, c]) => c.tenantScoped))(
    '%s: tenant-scoped, so has tenantId and an index led by it',
    (_name, c) => {
      expect(fieldAt(c.schema, 'tenantId')).toBeDefined();
      expect([...c.indexes, ...c.unique].some((fields) => fields[0] === 'tenantId')).toBe(true);
    },
  );

  test.each(entries)('%s: the example document parses, with schemaVersion defaulted', (name, c) => {
    const parsed = c.schema.parse(examples[name]());
    expect(parsed).toMatchObject({ id: expect.any(String), version: 3, schemaVersion: 1 });
  });

  test('EntityOf maps a collection name to its entity type', () => {
    const alert: EntityOf<'alerts'> = collections.alerts.schema.parse(examples.alerts());
    const typed: model.Alert = alert;
    expect(typed.fingerprint).toBe('9f2c4e6a8b0d1f3e');
  });

  test('every stored entity has a store-managed version and a schemaVersion', () => {
    for (const [, c] of entries) {
      for (const path of ['id', 'version', 'createdAt', 'updatedAt', 'schemaVersion']) {
        expect({ collection: c.name, path, present: fieldAt(c.schema, path)?.alwaysPresent }).toEqual({
          collection: c.name,
          path,
          present: true,
        });
      }
    }
  });
});

describe('OpenAPI', () => {
  const exportedSchemas = Object.entries(model as Record<string, unknown>).filter(
    (entry): entry is [string, z.ZodType] => entry[0].endsWith('Schema') && entry[1] instanceof z.ZodType,
  );
  const components = new OpenApiGeneratorV31(
    exportedSchemas.map(([, schema]) => ({ type: 'schema', schema })),
  ).generateComponents().components?.schemas as Record<string, unknown>;

  test('every exported *Schema is a named component', () => {
    expect(Object.keys(components).sort()).toEqual(
      exportedSchemas.map(([name]) => name.replace(/Schema$/, '')).sort(),
    );
  });

  test('every property of every component has a description', () => {
    const undocumented: string[] = [];
    const hasDescription = (node: Record<string, unknown>): boolean =>
      typeof node.description === 'string' ||
      (Array.isArray(node.allOf) && node.allOf.some((part: Record<string, unknown>) => hasDescription(part)));
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${where}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      if (typeof record.properties === 'object' && record.properties !== null) {
        for (const [key, property] of Object.entries(
          record.properties as Record<string, Record<string, unknown>>,
        )) {
          if (!hasDescription(property)) undocumented.push(`${where}.${key}`);
        }
      }
      for (const [key, child] of Object.entries(record)) walk(child, `${where}.${key}`);
    };
    walk(components, 'components');
    expect(undocumented).toEqual([]);
  });

  test('secrets are absent from the public shapes', () => {
    const properties = (name: string) => Object.keys((components[name] as { properties: object }).properties);
    expect(properties('User')).toContain('passwordHash');
    expect(properties('PublicUser')).not.toContain('passwordHash');
    expect(properties('ApiToken')).toContain('secretHash');
    expect(properties('PublicApiToken')).not.toContain('secretHash');
  });
});
