/**
 * Tenant isolation over the whole API: a user of tenant A holding every permission walks EVERY
 * route of the OpenAPI document, aimed at tenant B's objects. Nothing of B may be read, changed or
 * confirmed to exist; routes are found from the document, so a new route is walked automatically.
 */
import request from 'supertest';
import type { ApiToken } from '../../server/model/api-token.js';
import type { AuditEntry } from '../../server/model/audit-entry.js';
import type { Tenant } from '../../server/model/tenant.js';
import type { User } from '../../server/model/user.js';
import { MongoStore } from '../../server/store/mongo/mongo-store.js';
import type { Store, StoredDoc } from '../../server/store/port.js';
import { STORE_COLLECTIONS } from '../../server/services.js';
import { startFerretDB } from '../harness/ferretdb.js';
import { describeWithServices, ferretdbBinary, useService } from '../harness/services.js';
import { examples } from '../model/examples.js';
import { testApp, type TestApp } from '../support/test-app.js';

const tenant = (id: string, code: string): Omit<Tenant, 'version' | 'createdAt' | 'updatedAt'> => ({
  id,
  schemaVersion: 1,
  name: `委办局 ${code}`,
  code,
  regionCode: '520000',
  regionName: '贵州省',
  level: 'province',
  contacts: [],
  namespaces: [],
  quotas: {},
  labels: {},
});

/** The body a route gets: fields that point at tenant B wherever a body can name a tenant. */
const hostileBody = (b: { tenantId: string; userId: string }) => ({
  tenantId: b.tenantId,
  parentId: b.tenantId,
  username: 'intruder',
  displayName: 'intruder',
  source: 'local',
  password: 'Intrud3r-Passw0rd',
  roleIds: ['tenant-viewer'],
  name: 'intruder',
  code: 'intruder',
  regionCode: '520000',
  regionName: '贵州省',
  level: 'city',
  permissions: ['tenants:read'],
  ownerUserId: b.userId,
  disabled: true,
  currentPassword: 'x',
  newPassword: 'Intrud3r-Passw0rd',
});

function crossTenantSuite(openStore: () => Promise<Store>): void {
  let t: TestApp;
  let b: { tenantId: string; userId: string; username: string; tokenId: string; roleId: string };
  /** Platform objects (clouds, clusters, nodes): no tenant user may see them either. */
  let platform: { cloudId: string; clusterId: string; nodeId: string };
  let before: Map<string, number>;

  /** Every B-owned document, by collection/id → version. */
  const snapshotOfB = async (): Promise<Map<string, number>> => {
    const out = new Map<string, number>();
    for (const spec of STORE_COLLECTIONS) {
      const docs = await t.store
        .collection<StoredDoc & { tenantId?: string }>(spec.name)
        .find({ limit: 1000 });
      for (const doc of docs.items)
        if (
          doc.tenantId === b.tenantId ||
          doc.id === b.tenantId ||
          doc.id === b.userId ||
          doc.id === b.tokenId
        )
          out.set(`${spec.name}/${doc.id}`, doc.version);
    }
    return out;
  };

  beforeAll(async () => {
    t = await testApp({ store: await openStore() });
    const tenants = t.store.collection<Tenant>('tenants');
    await tenants.insert(tenant('tenant-a', 'aaa'));
    await tenants.insert(tenant('tenant-b', 'bbb'));
    await t.role({ id: 'tenant-everything', permissions: ['*:*'], tenantScoped: true });
    await t.user({ username: 'alice', roleIds: ['tenant-everything'], tenantId: 'tenant-a' });
    const bob = await t.user({ username: 'bob-of-b', roleIds: ['tenant-admin'], tenantId: 'tenant-b' });
    const bobSession = await t.login('bob-of-b');
    const token = await request(t.app)
      .post('/api/v1/tokens')
      .set('Authorization', `Bearer ${bobSession}`)
      .send({ name: 'b-automation', permissions: ['tenants:read'] })
      .expect(201);
    await t.role({ id: 'b-custom-role', permissions: ['tenants:read'] });
    const strip = <T extends object>(doc: T) => {
      const { version: _v, createdAt: _c, updatedAt: _u, ...rest } = doc as T & Record<string, unknown>;
      return rest as never;
    };
    const cloud = await t.store.collection('clouds').insert(strip(examples.clouds()));
    const cluster = await t.store
      .collection('clusters')
      .insert(strip({ ...examples.clusters(), cloudId: cloud.id }));
    const node = await t.store
      .collection('nodes')
      .insert(strip({ ...examples.nodes(), clusterId: cluster.id }));
    platform = { cloudId: cloud.id, clusterId: cluster.id, nodeId: node.id };
    b = {
      tenantId: 'tenant-b',
      userId: bob.id,
      username: bob.username,
      tokenId: (token.body as { record: ApiToken }).record.id,
      roleId: 'b-custom-role',
    };
    before = await snapshotOfB();
    expect(before.size).toBeGreaterThanOrEqual(4);
  });
  afterAll(() => t.close());

  /** Which of B's objects a route's {id} names, by the first path segment after /api/v1/. */
  const idFor = (path: string): string | undefined =>
    ({
      users: b.userId,
      tenants: b.tenantId,
      tokens: b.tokenId,
      roles: b.roleId,
      clouds: platform.cloudId,
      clusters: platform.clusterId,
      nodes: platform.nodeId,
    })[path.split('/')[3] ?? ''];

  test('every route refuses tenant B’s objects to a tenant-A user holding every permission', async () => {
    const doc = (await request(t.app).get('/api/v1/openapi.json')).body;
    const leaks: string[] = [];
    let walked = 0;
    for (const [path, operations] of Object.entries<Record<string, { security?: unknown[] }>>(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        if (Array.isArray(op.security) && op.security.length === 0) continue;
        const id = path.includes('{') ? idFor(path) : undefined;
        if (path.includes('{') && !id) throw new Error(`no tenant-B object for ${path}: add one to idFor()`);
        const url = path.replace(/\{[^}]+\}/g, encodeURIComponent(id ?? ''));
        const token = await t.login('alice'); // fresh each time: logout and password routes end sessions
        const send = request(t.app)[method as 'get'];
        const res = await send(`${url}?tenantId=${b.tenantId}`)
          .set('Authorization', `Bearer ${token}`)
          .send(hostileBody(b));
        walked++;
        const text = res.text ?? '';
        for (const secret of [b.userId, b.username, b.tokenId, b.roleId, platform.clusterId, platform.nodeId])
          if (text.includes(secret))
            leaks.push(`${method.toUpperCase()} ${path} → ${res.status} shows ${secret}`);
        if (id && res.status < 300)
          leaks.push(`${method.toUpperCase()} ${path} → ${res.status} on B's object`);
        if (!id && method === 'get' && res.status >= 500)
          leaks.push(`${method.toUpperCase()} ${path} → ${res.status}`);
      }
    }
    expect(walked).toBeGreaterThan(20);
    expect(leaks).toEqual([]);
  });

  test('afterwards, tenant B’s data is exactly as it was and nothing new belongs to B', async () => {
    expect(await snapshotOfB()).toEqual(before);
    const users = await t.store.collection<User>('users').find({ filter: { username: 'intruder' } });
    expect(users.items).toEqual([]);
  });

  test('tenant A’s own objects remain reachable (the scope is not simply "deny all")', async () => {
    const token = await t.login('alice');
    const own = await request(t.app).get('/api/v1/tenants/tenant-a').set('Authorization', `Bearer ${token}`);
    expect(own.status).toBe(200);
    const list = await request(t.app)
      .get('/api/v1/users')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(list.body.items.map((u: User) => u.username)).toEqual(['alice']);
    const audit = await request(t.app)
      .get('/api/v1/audit?limit=1000')
      .set('Authorization', `Bearer ${token}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.length).toBeGreaterThan(0);
    expect(audit.body.items.every((e: AuditEntry) => e.tenantId === 'tenant-a')).toBe(true);
  });
}

describe('cross-tenant isolation: sqlite', () => {
  crossTenantSuite(async () => {
    const { SqliteStore } = await import('../../server/store/sqlite/sqlite-store.js');
    return new SqliteStore({ file: ':memory:', collections: STORE_COLLECTIONS });
  });
});

describeWithServices('cross-tenant isolation: mongo (FerretDB)', [ferretdbBinary()], () => {
  const ferret = useService(startFerretDB);
  crossTenantSuite(() =>
    MongoStore.connect({ url: `${ferret().url}cross_tenant`, collections: STORE_COLLECTIONS }),
  );
});
