// A real Kubernetes control plane for tests, in the style of controller-runtime's envtest: etcd plus
// kube-apiserver on loopback, with client-certificate auth and RBAC, and no kubelets or controllers
// (nothing schedules Pods or reconciles Deployments). The binaries come from scripts/build-envtest.sh.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'yaml';

export interface Envtest {
  /** https://127.0.0.1:PORT of the API server. */
  url: string;
  /** http://127.0.0.1:PORT of etcd (for compaction: forcing watch expiry). */
  etcdUrl: string;
  /** Kubeconfig YAML for a client-cert user in system:masters. */
  adminKubeconfig: string;
  /** Kubeconfig YAML for a client-cert user with only the roles RBAC gives every authenticated user. */
  restrictedKubeconfig(user: string, groups?: string[]): Promise<string>;
  /** Stops the API server and etcd and removes their files; safe to call twice. */
  stop(): Promise<void>;
}

export const ENVTEST_BUILD_HINT =
  'run `bash scripts/build-envtest.sh` to build them (once; ~10 min cold on 2 cores)';

const BINARIES = ['etcd', 'kube-apiserver', 'envtest-helper'] as const;
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

const goDir = join(dirname(fileURLToPath(import.meta.url)), 'go');

// Same lookup as scripts/build-envtest.sh, so both agree on the cache directory without a second
// copy of the versions.
function requiredVersion(goMod: string, module: string): string {
  const fields = readFileSync(join(goDir, goMod), 'utf8').split(/\s+/);
  const version = fields[fields.indexOf(module) + 1];
  if (!fields.includes(module) || !version) throw new Error(`${module} is not required in ${goMod}`);
  return version;
}

export function envtestBinDir(): string {
  const cache = process.env.YUNSHU_CACHE || join(homedir(), '.cache', 'yunshu');
  const k8s = requiredVersion('apiserver/go.mod', 'k8s.io/kubernetes');
  const etcd = requiredVersion('etcd/go.mod', 'go.etcd.io/etcd/server/v3');
  return join(cache, 'envtest', `k8s-${k8s}_etcd-${etcd}`, 'bin');
}

/** Paths of the envtest binaries that have not been built yet. */
export function missingEnvtestBinaries(): string[] {
  const bin = envtestBinDir();
  return BINARIES.map((name) => join(bin, name)).filter((path) => !existsSync(path));
}

interface Pki {
  ca: string;
  adminCert: string;
  adminKey: string;
}

interface Running {
  dir: string;
  children: Child[];
}

interface Child {
  name: string;
  proc: ChildProcess;
}

// A test process that exits without stop() still must not leak: the helper's parent-death signal
// kills the servers, and this removes their directories.
const running = new Set<Running>();
process.once('exit', () => {
  for (const env of running) {
    for (const child of env.children) child.proc.kill('SIGKILL');
    rmSync(env.dir, { recursive: true, force: true });
  }
});

export interface EnvtestOptions {
  /**
   * Serve watches from etcd rather than the API server's watch cache, so that an etcd compaction
   * expires older resourceVersions at once (410 Gone), as a long outage would.
   */
  watchCache?: boolean;
}

export async function startEnvtest(options: EnvtestOptions = {}): Promise<Envtest> {
  const missing = missingEnvtestBinaries();
  if (missing.length > 0)
    throw new Error(`envtest binaries missing (${missing.join(', ')}): ${ENVTEST_BUILD_HINT}`);
  const bin = envtestBinDir();
  const helper = join(bin, 'envtest-helper');
  const env: Running = { dir: await mkdtemp(join(tmpdir(), 'yunshu-envtest-')), children: [] };
  running.add(env);
  const stop = async (): Promise<void> => {
    // The API server goes first so it does not spend its shutdown retrying a vanished etcd.
    for (const child of [...env.children].reverse()) await terminate(child);
    await rm(env.dir, { recursive: true, force: true });
    running.delete(env);
  };

  try {
    const pkiDir = join(env.dir, 'pki');
    await mkdir(pkiDir);
    await promisify(execFile)(helper, ['pki', pkiDir]);
    const pki: Pki = {
      ca: await readFile(join(pkiDir, 'ca.crt'), 'utf8'),
      adminCert: await readFile(join(pkiDir, 'admin.crt'), 'utf8'),
      adminKey: await readFile(join(pkiDir, 'admin.key'), 'utf8'),
    };
    const [etcdClient, etcdPeer, apiPort] = await freePorts(3);
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    const url = `https://127.0.0.1:${apiPort}`;

    const etcd = await launch(env, helper, join(bin, 'etcd'), 'etcd', [
      `--data-dir=${join(env.dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      '--name=envtest',
      `--initial-cluster=envtest=${peerUrl}`,
      // Test data is thrown away, so durability is not worth the fsync latency.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    const apiserver = await launch(env, helper, join(bin, 'kube-apiserver'), 'kube-apiserver', [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(env.dir, 'apiserver')}`,
      `--tls-cert-file=${join(pkiDir, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(pkiDir, 'apiserver.key')}`,
      `--client-ca-file=${join(pkiDir, 'ca.crt')}`,
      '--authorization-mode=RBAC',
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${join(pkiDir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pkiDir, 'sa.key')}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      // No controller-manager creates the "default" ServiceAccounts this plugin would demand of Pods.
      '--disable-admission-plugins=ServiceAccount',
      // The loopback advertise address is not a valid Endpoints IP, and nothing here needs them.
      '--endpoint-reconciler-type=none',
      ...(options.watchCache === false ? ['--watch-cache=false'] : []),
    ]);

    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    await waitFor('etcd', [etcd], deadline, async () => {
      const res = await fetch(`${etcdUrl}/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
      await res?.body?.cancel();
      return res?.status === 200;
    });
    // /readyz covers RBAC bootstrap; the default namespace is made by a loop it does not wait for.
    await waitFor(
      'kube-apiserver',
      [etcd, apiserver],
      deadline,
      async () =>
        (await httpsStatus(`${url}/readyz`, pki)) === 200 &&
        (await httpsStatus(`${url}/api/v1/namespaces/default`, pki)) === 200,
    );

    return {
      url,
      etcdUrl,
      adminKubeconfig: kubeconfig(url, pki.ca, 'yunshu-admin', pki.adminCert, pki.adminKey),
      async restrictedKubeconfig(user, groups = []) {
        const { stdout } = await promisify(execFile)(helper, ['client-cert', pkiDir, user, ...groups]);
        const { cert, key } = JSON.parse(stdout) as { cert: string; key: string };
        return kubeconfig(url, pki.ca, user, cert, key);
      },
      stop,
    };
  } catch (err) {
    const logs = await logTails(env.dir);
    await stop();
    throw new Error(`envtest did not start: ${(err as Error).message}${logs}`, { cause: err });
  }
}

function kubeconfig(url: string, ca: string, user: string, cert: string, key: string): string {
  const base64 = (pem: string) => Buffer.from(pem).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'envtest', cluster: { server: url, 'certificate-authority-data': base64(ca) } }],
    users: [
      { name: user, user: { 'client-certificate-data': base64(cert), 'client-key-data': base64(key) } },
    ],
    contexts: [{ name: 'envtest', context: { cluster: 'envtest', user } }],
    'current-context': 'envtest',
  });
}

// Ports are found by binding :0 and releasing; holding all listeners until every port is known keeps
// the picks distinct.
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

async function launch(env: Running, helper: string, binary: string, name: string, args: string[]) {
  const log = await open(join(env.dir, `${name}.log`), 'w');
  try {
    const child = {
      name,
      proc: spawn(helper, ['exec', binary, ...args], { stdio: ['ignore', log.fd, log.fd] }),
    };
    env.children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.proc.once('spawn', resolve);
      child.proc.once('error', reject);
    });
    return child;
  } finally {
    await log.close();
  }
}

async function waitFor(
  what: string,
  children: Child[],
  deadline: number,
  ready: () => Promise<boolean>,
): Promise<void> {
  for (;;) {
    const exited = children.find(({ proc }) => proc.exitCode !== null || proc.signalCode !== null);
    if (exited) {
      throw new Error(`${exited.name} exited (${exited.proc.exitCode ?? exited.proc.signalCode})`);
    }
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${STARTUP_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Status code of a GET as the admin user, or 0 when the server does not answer (yet). */
function httpsStatus(url: string, pki: Pki): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { ca: pki.ca, cert: pki.adminCert, key: pki.adminKey, timeout: 2_000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function terminate({ proc: child }: Child): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(escalate);
}

async function logTails(dir: string): Promise<string> {
  let out = '';
  for (const name of ['etcd', 'kube-apiserver']) {
    const text = await readFile(join(dir, `${name}.log`), 'utf8').catch(() => '');
    if (text) out += `\n--- ${name}.log (tail) ---\n${text.trimEnd().split('\n').slice(-30).join('\n')}`;
  }
  return out;
}
