/**
 * A test app with the security pipeline mounted (receivers, rules, alerts, incidents), plus tokens
 * for its typical callers: an ingest sender and a SOC analyst.
 */
import request from 'supertest';
import { DetectionRuntime, type DetectionRuntimeOptions } from '../../server/detection/detection-runtime.js';
import type { ApiTokenCreate } from '../../server/model/api-token.js';
import type { Store } from '../../server/store/port.js';
import { testApp, type TestApp } from './test-app.js';

export interface DetectionApp extends TestApp {
  runtime: DetectionRuntime;
  /** Bearer token of a user with every permission (security admin + system admin). */
  admin: string;
  /** Creates an API token for the admin user. */
  apiToken(input: Partial<ApiTokenCreate>): Promise<string>;
  /** Waits until every accepted event went through detection. */
  drained(): Promise<void>;
}

export async function detectionApp(
  options: { store?: Store; runtime?: Partial<DetectionRuntimeOptions> } = {},
): Promise<DetectionApp> {
  let runtime: DetectionRuntime | undefined;
  const t = await testApp({
    ...(options.store ? { store: options.store } : {}),
    routes: (services) => {
      runtime = new DetectionRuntime({
        store: services.store,
        audit: services.audit,
        instance: 'test',
        ...options.runtime,
      });
      return runtime.routes();
    },
  });
  await runtime!.start();
  await t.user({ username: 'soc-admin', roleIds: ['security-admin', 'system-admin', 'automation'] });
  const admin = await t.login('soc-admin');
  return {
    ...t,
    runtime: runtime!,
    admin,
    async apiToken(input) {
      const res = await request(t.app)
        .post('/api/v1/tokens')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'test', permissions: ['events:ingest'], ...input });
      if (res.status !== 201) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    drained: () => runtime!.worker.drained(),
    async close() {
      await runtime!.stop();
      await t.close();
    },
  };
}
