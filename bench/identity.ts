/**
 * Identity figures: login latency with the production password cost (scrypt N=2^16, r=8) and
 * audit-append throughput, on the embedded SQLite store (a file, WAL). Prints one JSON line.
 *   npm run bench:identity
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../server/identity/passwords.js';
import { createServices, STORE_COLLECTIONS } from '../server/services.js';
import { SqliteStore } from '../server/store/sqlite/sqlite-store.js';
import type { User } from '../server/model/user.js';

const LOGINS = Number(process.env.BENCH_LOGINS ?? 30);
const APPENDS = Number(process.env.BENCH_APPENDS ?? 5000);

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'yunshu-bench-identity-'));
  const store = new SqliteStore({ file: join(dir, 'bench.db'), collections: STORE_COLLECTIONS });
  const services = createServices(store);
  await services.accounts.ensureBuiltinRoles();
  const password = 'Bench-Passw0rd';
  await store.collection<User>('users').insert({
    id: 'bench-user',
    schemaVersion: 1,
    username: 'bench',
    displayName: 'bench',
    source: 'local',
    roleIds: ['ops'],
    disabled: false,
    failedLoginCount: 0,
    passwordHash: await hashPassword(password),
  });

  const loginMs: number[] = [];
  for (let i = 0; i < LOGINS; i++) {
    const started = performance.now();
    const result = await services.accounts.login('bench', password, '127.0.0.1');
    if (!result.ok) throw new Error('bench login failed');
    await services.sessions.create(result.user, { transport: 'bearer', method: 'password' });
    loginMs.push(performance.now() - started);
  }
  loginMs.sort((a, b) => a - b);

  const started = performance.now();
  for (let i = 0; i < APPENDS; i++)
    await services.audit.append({
      actor: { type: 'user', id: 'bench-user', name: 'bench' },
      action: 'bench.write',
      target: { type: 'bench', id: String(i) },
      result: 'success',
      details: { i },
    });
  const appendSeconds = (performance.now() - started) / 1000;
  const verifyStarted = performance.now();
  const verified = await services.audit.verify();
  const verifyMs = performance.now() - verifyStarted;

  await store.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      bench: 'identity',
      store: 'sqlite',
      logins: LOGINS,
      loginP50Ms: Number(percentile(loginMs, 50).toFixed(1)),
      loginP99Ms: Number(percentile(loginMs, 99).toFixed(1)),
      auditAppends: APPENDS,
      auditAppendsPerSec: Math.round(APPENDS / appendSeconds),
      auditVerifyOk: verified.ok,
      auditVerifyEntriesPerSec: Math.round(verified.checked / (verifyMs / 1000)),
      rssMb: Math.round(process.memoryUsage().rss / 1_048_576),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
