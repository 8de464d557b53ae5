/**
 * The README's first command, as a user runs it: the built server on the embedded default (SQLite,
 * no MongoDB or Redis), the demo fleet visible through the API, graceful SIGTERM, data surviving a
 * restart, and the console in real Chromium (zh-CN by default, English on the switch).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../harness/chromium.js';
import { chromiumBinary, describeWithServices } from '../harness/services.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PASSWORD = 'E2e-Admin-Passw0rd';

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function startServer(dataDir: string): Promise<Running> {
  const child = spawn(process.execPath, ['dist/server/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      YUNSHU_DATA_DIR: dataDir,
      YUNSHU_ADMIN_PASSWORD: PASSWORD,
      YUNSHU_SECADMIN_PASSWORD: PASSWORD,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const port = /listening on http:\/\/localhost:(\d+)/.exec(output)?.[1];
    if (port) return { child, url: `http://127.0.0.1:${port}`, output: () => output };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopServer(server: Running): Promise<number | null> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  server.child.kill('SIGTERM');
  const [code] = (await once(server.child, 'exit')) as [number | null];
  return code;
}

async function api<T>(
  server: Running,
  path: string,
  init: RequestInit & { token?: string } = {},
): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const login = async (server: Running, username = 'admin') =>
  (
    await api<{ token: string }>(server, '/api/v1/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username, password: PASSWORD }),
    })
  ).token;

/** Polls `probe` until it returns something, for up to `ms`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the server process on the embedded default', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'yunshu-e2e-'));
  let server: Running;

  beforeAll(async () => {
    try {
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(
        `npm run build failed:\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`.slice(-4000),
        { cause: error },
      );
    }
    server = await startServer(dataDir);
  }, 240_000);
  afterAll(async () => {
    if (server) await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('health and readiness answer 200', async () => {
    expect(await api(server, '/healthz')).toEqual({ status: 'ok' });
    expect(await api(server, '/readyz')).toMatchObject({
      status: 'ok',
      checks: { store: { ok: true, message: 'sqlite' } },
    });
  });

  test('the demo fleet shows through the API: three clusters, mixed arch', async () => {
    const token = await login(server);
    let summary: {
      nodes: number;
      byArch: { key: string; count: number }[];
      clusterStatus: { key: string }[];
    };
    const deadline = Date.now() + 30_000;
    do {
      summary = await api(server, '/api/v1/inventory/summary', { token });
      if (summary.nodes === 15) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    } while (Date.now() < deadline);
    expect(summary.nodes).toBe(15);
    expect(summary.byArch.map((b) => b.key).sort()).toEqual(['amd64', 'arm64']);
    expect(server.output()).toMatch(/demo fleet running/);
  });

  test('a Falco alert posted with an ingest token becomes an alert; the demo stories show as alerts and incidents', async () => {
    const secadmin = await login(server, 'secadmin');
    const { token } = await api<{ token: string }>(server, '/api/v1/tokens', {
      method: 'POST',
      token: secadmin,
      body: JSON.stringify({
        name: 'falco-gz-prod-x86',
        permissions: ['events:ingest'],
        ingest: { sources: ['falco'], clusterId: 'gz-prod-x86' },
      }),
    });
    const uuid = 'e2e00000-0000-4000-8000-000000000001';
    const res = await fetch(`${server.url}/api/v1/ingest/falco`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: JSON.stringify({
        uuid,
        time: new Date().toISOString(),
        rule: 'Terminal shell in container',
        priority: 'Notice',
        output: 'A shell was spawned in a container with an attached terminal',
        hostname: 'gz-prod-x86-node-1',
        output_fields: {
          'container.id': 'e2e0c0ffee00',
          'proc.name': 'bash',
          'proc.tty': 34816,
          'k8s.ns.name': 'gzdsj-portal',
          'k8s.pod.name': 'e2e-pod',
        },
      }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, deduplicated: 0, skipped: 0 });
    type Page = { items: { title: string; tenantId?: string; incidentId?: string }[] };
    const found = await until('the posted alert', async () => {
      const page = await api<Page>(server, `/api/v1/alerts?q=${uuid}`, { token: secadmin });
      return page.items[0];
    });
    expect(found.title).toBe('Interactive Shell in a Container');

    // The demo fleet's stories go through the same pipeline shortly after start.
    const story = await until('the demo exec-then-secrets story', async () => {
      const page = await api<Page>(server, '/api/v1/alerts?limit=200', { token: secadmin });
      return page.items.find((a) => a.title === 'Exec Into a Pod, Then Secret Reads by the Same User');
    });
    expect(story.tenantId).toBe('demo-gzdsj');
    const incidents = await api<Page>(server, '/api/v1/incidents', { token: secadmin });
    expect(incidents.items.length).toBeGreaterThan(0);
  });

  test('SIGTERM shuts down cleanly and the data survives a restart', async () => {
    const token = await login(server);
    const tenant = await api<{ id: string }>(server, '/api/v1/tenants', {
      method: 'POST',
      token,
      body: JSON.stringify({
        name: '测试委办局',
        code: 'e2e-test',
        regionCode: '520100',
        regionName: '贵阳市',
        level: 'city',
      }),
    });
    expect(await stopServer(server)).toBe(0);
    expect(server.output()).toMatch(/"msg":"stopped"/);
    server = await startServer(dataDir);
    const again = await login(server);
    expect(
      await api<{ code: string }>(server, `/api/v1/tenants/${tenant.id}`, { token: again }),
    ).toMatchObject({
      code: 'e2e-test',
    });
    // The first start's accounts are not created twice.
    expect(server.output()).not.toMatch(/first start: created account/);
  });

  describeWithServices('the console in Chromium', [chromiumBinary()], () => {
    test('shows the status page in Chinese first, and in English after the switch', async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(server.url);
        await page.getByTestId('readiness').waitFor();
        expect(await page.locator('h1').innerText()).toContain('云枢');
        expect(await page.getByTestId('readiness').innerText()).toBe('正常');
        await page.getByTestId('lang-switch').click();
        expect(await page.getByTestId('readiness').innerText()).toBe('OK');
        expect(await page.locator('section h2').innerText()).toBe('System status');

        // A wrong password is refused in the form; the right one starts a cookie session.
        await page.getByTestId('username').fill('admin');
        await page.getByTestId('password').fill('wrong');
        await page.getByTestId('login').click();
        expect(await page.getByTestId('login-error').innerText()).toBe('Wrong username or password');
        await page.getByTestId('password').fill(PASSWORD);
        await page.getByTestId('login').click();
        expect(await page.getByTestId('current-user').innerText()).toBe('系统管理员');
        const cookies = await page.context().cookies();
        expect(cookies.find((c) => c.name === 'yunshu_session')).toMatchObject({
          httpOnly: true,
          sameSite: 'Strict',
        });
        // Logging out is a POST: it only works with the CSRF token the console sends.
        await page.getByTestId('logout').click();
        await page.getByTestId('login').waitFor();
        const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status);
        expect(me).toBe(401);
        // The security administrator's SOC pages: the alert queue (demo alerts marked as such), an
        // incident's timeline, MTTx.
        await page.getByTestId('username').fill('secadmin');
        await page.getByTestId('password').fill(PASSWORD);
        await page.getByTestId('login').click();
        await page.getByTestId('current-user').waitFor();
        await page.goto(`${server.url}/#/alerts`);
        await page.getByTestId('alert-row').first().waitFor();
        expect(await page.getByTestId('demo-marker').count()).toBeGreaterThan(0);
        await page.goto(`${server.url}/#/incidents`);
        await page.getByTestId('incident-row').first().locator('a').first().click();
        await page.getByTestId('timeline').waitFor();
        await page.goto(`${server.url}/#/mttx`);
        await page.getByTestId('chart-mttd').waitFor();
      } finally {
        await browser.close();
      }
    });
  });
});
