/**
 * A Yunshu app over a fresh store, with helpers to create users and log them in.
 * Passwords in tests use a cheap scrypt cost (the hash records it, so verification follows).
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../server/app.js';
import type { RouteSpec } from '../../server/http/route.js';
import { hashPassword } from '../../server/identity/passwords.js';
import type { Role } from '../../server/model/role.js';
import type { User } from '../../server/model/user.js';
import {
  createServices,
  STORE_COLLECTIONS,
  type ServiceOptions,
  type Services,
} from '../../server/services.js';
import type { Store } from '../../server/store/port.js';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';

export const TEST_PASSWORD = 'Test-Passw0rd';
const CHEAP = { ln: 4, r: 8, p: 1 };

export interface TestApp {
  app: ReturnType<typeof createApp>;
  services: Services;
  store: Store;
  /** Creates a local user with TEST_PASSWORD (or the given one). */
  user(fields: { username: string; roleIds: string[]; tenantId?: string; password?: string }): Promise<User>;
  role(fields: { id: string; permissions: string[]; tenantScoped?: boolean }): Promise<Role>;
  /** Logs in and returns a bearer token. */
  login(username: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

export async function testApp(
  options: {
    store?: Store;
    /** Extra routes, or a function building them from the app's services. */
    routes?: RouteSpec[] | ((services: Services) => RouteSpec[]);
    services?: ServiceOptions;
  } = {},
): Promise<TestApp> {
  const store = options.store ?? new SqliteStore({ file: ':memory:', collections: STORE_COLLECTIONS });
  const services = createServices(store, options.services);
  await services.accounts.ensureBuiltinRoles();
  const app = createApp({
    services,
    logger: pino({ level: 'silent' }),
    version: 'test',
    ...(options.routes
      ? { routes: typeof options.routes === 'function' ? options.routes(services) : options.routes }
      : {}),
  });
  return {
    app,
    services,
    store,
    async user({ username, roleIds, tenantId, password }) {
      return store.collection<User>('users').insert({
        id: randomUUID(),
        schemaVersion: 1,
        username,
        displayName: username,
        source: 'local',
        roleIds,
        ...(tenantId ? { tenantId } : {}),
        disabled: false,
        failedLoginCount: 0,
        passwordHash: await hashPassword(password ?? TEST_PASSWORD, CHEAP),
      });
    },
    async role({ id, permissions, tenantScoped }) {
      const role = await store.collection<Role>('roles').insert({
        id,
        name: id,
        schemaVersion: 1,
        permissions,
        tenantScoped: tenantScoped ?? false,
        builtin: false,
      });
      services.accounts.rolesChanged();
      return role;
    },
    async login(username, password = TEST_PASSWORD) {
      const res = await request(app).post('/api/v1/auth/login').send({ username, password });
      if (res.status !== 200)
        throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    close: () => store.close(),
  };
}
