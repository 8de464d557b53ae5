import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../server/app.js';
import { HttpError } from '../../server/http/errors.js';
import { defineRoute } from '../../server/http/route.js';
import { z } from '../../server/model/common.js';
import { createServices, STORE_COLLECTIONS } from '../../server/services.js';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';
import type { Store } from '../../server/store/port.js';

const logger = pino({ level: 'silent' });

// A route declared like every feature route: the schema validates, types and documents it.
const EchoBody = z.object({
  name: z.string().min(1),
  cloud: z.object({ tier: z.enum(['provincial', 'sector', 'city']), zone: z.string() }),
  replicas: z.number().int().min(0).optional(),
});
const echo = defineRoute({
  method: 'post',
  path: '/api/v1/echo/:id',
  summary: 'test route',
  tags: ['test'],
  public: true,
  params: z.object({ id: z.string().regex(/^[a-z0-9-]+$/) }),
  query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
  body: EchoBody,
  responses: { 201: { description: 'echoed', schema: EchoBody } },
  handler: ({ params, body, query }) => ({
    status: 201,
    body: { ...body, id: params.id, dryRun: query.dryRun },
  }),
});
const failing = defineRoute({
  method: 'get',
  path: '/api/v1/boom',
  summary: 'throws',
  tags: ['test'],
  public: true,
  responses: { 200: { description: 'never' } },
  handler: () => {
    throw new Error('secret internal detail');
  },
});
const teapot = defineRoute({
  method: 'get',
  path: '/api/v1/limited',
  summary: 'answers 429',
  tags: ['test'],
  public: true,
  responses: { 200: { description: 'never' } },
  handler: () => {
    throw new HttpError(429, 'slow down', [], { 'Retry-After': '5' });
  },
});

describe('HTTP skeleton', () => {
  let store: Store;
  let app: ReturnType<typeof createApp>;
  beforeEach(() => {
    store = new SqliteStore({ file: ':memory:', collections: STORE_COLLECTIONS });
    app = createApp({
      services: createServices(store),
      logger,
      version: '9.9.9',
      routes: [echo, failing, teapot],
    });
  });
  afterEach(() => store.close());

  test('/healthz and /readyz answer 200 with an open store', async () => {
    await request(app).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(app).get('/readyz').expect(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { store: { ok: true, message: 'sqlite' } } });
  });

  test('/readyz answers 503 naming the store when it is gone', async () => {
    await store.close();
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body.status).toBe('unavailable');
    expect(res.body.checks.store.ok).toBe(false);
  });

  test('a valid request reaches the handler with parsed values', async () => {
    const res = await request(app)
      .post('/api/v1/echo/abc-1?dryRun=true')
      .send({ name: '省政务云', cloud: { tier: 'provincial', zone: '政务外网' } })
      .expect(201);
    expect(res.body).toEqual({
      name: '省政务云',
      cloud: { tier: 'provincial', zone: '政务外网' },
      id: 'abc-1',
      dryRun: 'true',
    });
  });

  test('malformed JSON is a 400 that says so', async () => {
    const res = await request(app)
      .post('/api/v1/echo/abc')
      .set('Content-Type', 'application/json')
      .send('{"name": "x", cloud: }')
      .expect(400);
    expect(res.body.error).toBe('malformed JSON body');
    expect(res.body.details[0].path).toBe('body');
  });

  test('a schema violation is a 400 naming each bad field', async () => {
    const res = await request(app)
      .post('/api/v1/echo/abc')
      .send({ name: '', cloud: { tier: 'galactic', zone: 7 }, replicas: 1.5 })
      .expect(400);
    const paths = res.body.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(['body.cloud.tier', 'body.cloud.zone', 'body.name', 'body.replicas']);
    expect(res.body.error).toContain('body.cloud.tier');
  });

  test('bad path and query parameters are 400s naming them', async () => {
    const params = await request(app).post('/api/v1/echo/NOT_OK').send({}).expect(400);
    expect(params.body.details.map((d: { path: string }) => d.path)).toEqual(['params.id']);
    const query = await request(app)
      .post('/api/v1/echo/ok?dryRun=maybe')
      .send({ name: 'x', cloud: { tier: 'city', zone: 'z' } })
      .expect(400);
    expect(query.body.details.map((d: { path: string }) => d.path)).toEqual(['query.dryRun']);
  });

  test('an oversized body is a 413, and the server keeps serving', async () => {
    const big = { name: 'x'.repeat(2 * 1024 * 1024), cloud: { tier: 'city', zone: 'z' } };
    await request(app).post('/api/v1/echo/abc').send(big).expect(413);
    await request(app).get('/healthz').expect(200);
  });

  test('unknown routes are a JSON 404', async () => {
    const res = await request(app).get('/api/v1/nothing-here').expect(404);
    expect(res.body.error).toContain('/api/v1/nothing-here');
  });

  test('an unexpected error is a 500 without internals', async () => {
    const res = await request(app).get('/api/v1/boom').expect(500);
    expect(res.body).toEqual({ error: 'internal error', details: [] });
    expect(JSON.stringify(res.body)).not.toContain('secret');
  });

  test('HttpError carries status and headers (429 + Retry-After)', async () => {
    const res = await request(app).get('/api/v1/limited').expect(429);
    expect(res.headers['retry-after']).toBe('5');
  });

  test('security headers are set', async () => {
    const res = await request(app).get('/healthz');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  test('a worker process serves health probes and no API', async () => {
    const worker = createApp({ services: createServices(store), logger, version: '9.9.9', apiRoutes: false });
    await request(worker).get('/healthz').expect(200);
    await request(worker).get('/readyz').expect(200);
    await request(worker).post('/api/v1/auth/login').send({ username: 'a', password: 'b' }).expect(404);
  });

  test('CORS is closed: no cross-origin grant on preflight or request', async () => {
    const preflight = await request(app)
      .options('/api/v1/echo/abc')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const get = await request(app).get('/healthz').set('Origin', 'https://evil.example');
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    expect(get.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  test('the OpenAPI document is generated from the route schemas', async () => {
    const res = await request(app).get('/api/v1/openapi.json').expect(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('9.9.9');
    const op = doc.paths['/api/v1/echo/{id}'].post;
    expect(op.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()).toEqual([
      'path:id',
      'query:dryRun',
    ]);
    const body = op.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['name', 'cloud']);
    expect(body.properties.cloud.properties.tier.enum).toEqual(['provincial', 'sector', 'city']);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.components.schemas.Error).toBeDefined();
  });
});
