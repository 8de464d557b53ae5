/**
 * The security pipeline on the production store: MongoDB wire protocol (real FerretDB), from the
 * receiver to a deduplicated alert in an incident, the same path the SQLite suites cover.
 */
import request from 'supertest';
import type { Alert } from '../../server/model/alert.js';
import type { Incident } from '../../server/model/incident.js';
import { STORE_COLLECTIONS } from '../../server/services.js';
import { MongoStore } from '../../server/store/mongo/mongo-store.js';
import { startFerretDB } from '../harness/ferretdb.js';
import { describeWithServices, ferretdbBinary, useService } from '../harness/services.js';
import { detectionApp, type DetectionApp } from '../support/detection-app.js';

describeWithServices('security pipeline on FerretDB', [ferretdbBinary()], () => {
  let app: DetectionApp | undefined;
  // Declared before the server's hooks so that it runs first: the app flushes to the store on close.
  afterAll(() => app?.close());
  const ferret = useService(startFerretDB);

  beforeAll(async () => {
    const store = await MongoStore.connect({
      url: `${ferret().url}pipeline`,
      collections: STORE_COLLECTIONS,
    });
    app = await detectionApp({ store });
  }, 60_000);

  test('audit exec events become one alert with its occurrences, in one incident; re-delivery is deduplicated', async () => {
    const t = app!;
    const token = await t.apiToken({ ingest: { sources: ['k8s-audit'], clusterId: 'gz-prod-1' } });
    const exec = (auditID: string, second: number) =>
      JSON.stringify({
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        level: 'Metadata',
        auditID,
        stage: 'ResponseComplete',
        requestURI: '/api/v1/namespaces/gzdsj-portal/pods/portal-api-7d9f-abcde/exec?command=sh',
        verb: 'create',
        user: { username: 'li.ming@gzdsj.gov.cn' },
        objectRef: {
          resource: 'pods',
          subresource: 'exec',
          namespace: 'gzdsj-portal',
          name: 'portal-api-7d9f-abcde',
        },
        responseStatus: { metadata: {}, code: 101 },
        requestReceivedTimestamp: `2026-11-23T02:00:0${second}.000000Z`,
        stageTimestamp: `2026-11-23T02:00:0${second}.050000Z`,
      });
    const body = [
      exec('f0000000-0000-4000-8000-000000000001', 1),
      exec('f0000000-0000-4000-8000-000000000002', 2),
    ].join('\n');
    const post = () =>
      request(t.app)
        .post('/api/v1/ingest/k8s-audit')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/x-ndjson')
        .send(body);
    expect((await post()).body).toEqual({ accepted: 2, deduplicated: 0, skipped: 0 });
    expect((await post()).body).toEqual({ accepted: 0, deduplicated: 2, skipped: 0 });
    await t.drained();

    const alerts = (await t.store.collection<Alert>('alerts').find({})).items;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ occurrenceCount: 2, title: 'Exec or Attach Into a Pod' });
    const incident = await t.store.collection<Incident>('incidents').get(alerts[0]!.incidentId!);
    expect(incident).toMatchObject({
      alertIds: [alerts[0]!.id],
      clusterIds: ['gz-prod-1'],
      sources: ['k8s-audit'],
    });

    const found = await request(t.app)
      .get('/api/v1/alerts?q=f0000000-0000-4000-8000-000000000002')
      .set('Authorization', `Bearer ${t.admin}`);
    expect(found.body.items.map((a: Alert) => a.id)).toEqual([alerts[0]!.id]);
    const mttx = await request(t.app)
      .get('/api/v1/metrics/mttx?groupBy=cluster')
      .set('Authorization', `Bearer ${t.admin}`);
    expect(mttx.body.groups).toEqual([
      expect.objectContaining({ key: { clusterId: 'gz-prod-1' }, count: 1 }),
    ]);
  });
});
