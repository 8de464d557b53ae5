/**
 * The demo fleet's attack stories, collected inventory and all: each story's telemetry goes through
 * the ingest pipeline and comes out as alerts about the simulator's real pods, enriched with tenant,
 * workload and node architecture, grouped into incidents.
 */
import { pino } from 'pino';
import request from 'supertest';
import type { DemoFleet } from '../../collectors/demo-fleet/types.js';
import { CollectionRuntime } from '../../server/collection/collection-runtime.js';
import { DemoSecurityFeed } from '../../server/collection/demo-security-feed.js';
import { seedDemoFleet } from '../../server/collection/demo-seed.js';
import type { Alert } from '../../server/model/alert.js';
import type { Incident } from '../../server/model/incident.js';
import { detectionApp, type DetectionApp } from '../support/detection-app.js';

describe('demo security telemetry', () => {
  let t: DetectionApp;
  let demo: DemoFleet;
  let collection: CollectionRuntime;
  let feed: DemoSecurityFeed;
  const alerts = async () => (await t.store.collection<Alert>('alerts').find({ limit: 1000 })).items;
  const byTitle = async (title: string) => (await alerts()).find((a) => a.title === title);

  beforeAll(async () => {
    t = await detectionApp();
    demo = await seedDemoFleet(t.store, t.services.secrets, { tickMs: 0 });
    collection = new CollectionRuntime({
      store: t.store,
      secrets: t.services.secrets,
      logger: pino({ level: 'silent' }),
      usageIntervalMs: 60_000,
    });
    await collection.start();
    const deadline = Date.now() + 30_000;
    const ready = async () =>
      (await t.store.collection('pods').count({ tenantId: 'demo-gzwjw', clusterId: 'gz-prod-kunpeng' })) >
        0 &&
      (await t.store.collection('pods').count({ tenantId: 'demo-gzdsj', clusterId: 'gz-prod-x86' })) > 0 &&
      (await t.store.collection('pods').count({ tenantId: 'demo-gzgat', clusterId: 'gy-city-phytium' })) > 0;
    while (!(await ready())) {
      if (Date.now() > deadline) throw new Error('demo inventory not collected');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    feed = new DemoSecurityFeed(demo, t.runtime.pipeline, pino({ level: 'silent' }));
    await feed.playStories(3);
    await t.drained();
  });
  afterAll(async () => {
    await feed.stop();
    await collection.stop();
    await demo.stop();
    await t.close();
  });

  test('exec then secret reads: three step alerts and the correlation, in one incident of the tenant', async () => {
    const exec = await byTitle('Exec or Attach Into a Pod');
    const shell = await byTitle('Interactive Shell in a Container');
    const secrets = await byTitle('Secret Read Outside the Control Plane');
    const story = await byTitle('Exec Into a Pod, Then Secret Reads by the Same User');
    expect(exec).toMatchObject({ tenantId: 'demo-gzdsj', user: { name: 'li.ming@gzdsj.gov.cn' } });
    expect(exec?.k8s).toMatchObject({
      clusterId: 'gz-prod-x86',
      namespace: 'gzdsj-portal',
      nodeArch: 'amd64',
    });
    expect(exec?.k8s?.workloadName).toBeDefined();
    expect(shell?.k8s?.pod).toBe(exec?.k8s?.pod);
    expect(secrets?.occurrenceCount).toBe(3);
    expect(story).toMatchObject({ severity: 'high', tenantId: 'demo-gzdsj' });

    const incident = await t.store.collection<Incident>('incidents').get(exec!.incidentId!);
    expect(incident?.alertIds).toEqual(expect.arrayContaining([exec!.id, secrets!.id, story!.id]));
    expect(incident).toMatchObject({ tenantId: 'demo-gzdsj', status: 'open', clusterIds: ['gz-prod-x86'] });
    expect(Date.parse(incident!.detectedAt)).toBeGreaterThanOrEqual(Date.parse(incident!.occurredAt!));
  });

  test('a privileged pod by a deploy service account on the Phytium cluster', async () => {
    const alert = await byTitle('Privileged Pod Created');
    expect(alert).toMatchObject({
      tenantId: 'demo-gzgat',
      k8s: { clusterId: 'gy-city-phytium', namespace: 'gzgat-app' },
    });
  });

  test('a crypto-miner on an arm64 Kunpeng node, with its pool connection', async () => {
    const miner = (await alerts()).filter((a) => a.k8s?.clusterId === 'gz-prod-kunpeng');
    expect(miner.map((a) => a.severity)).toContain('critical');
    expect(miner.every((a) => a.tenantId === 'demo-gzwjw' && a.k8s?.nodeArch === 'arm64')).toBe(true);
    expect(miner.length).toBeGreaterThanOrEqual(2);
  });

  test('the console finds the story by the Falco uuid of its shell alert', async () => {
    const shell = await byTitle('Interactive Shell in a Container');
    const uuid = shell!.evidenceEventIds[0]!.replace('falco:', '');
    const res = await request(t.app)
      .get(`/api/v1/alerts?q=${uuid}`)
      .set('Authorization', `Bearer ${t.admin}`);
    expect(res.body.items.map((a: Alert) => a.id)).toEqual([shell!.id]);
  });

  test('routine traffic raises nothing', async () => {
    const before = (await alerts()).reduce((n, a) => n + a.occurrenceCount, 0);
    const { routineTraffic } = await import('../../collectors/demo-fleet/security-stories.js');
    for (const telemetry of routineTraffic(demo, Date.now()))
      await t.runtime.pipeline.ingest({
        source: telemetry.source,
        payload: telemetry.payload,
        clusterId: telemetry.clusterId,
      });
    await t.drained();
    expect((await alerts()).reduce((n, a) => n + a.occurrenceCount, 0)).toBe(before);
  });
});
