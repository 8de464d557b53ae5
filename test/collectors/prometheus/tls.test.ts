/**
 * TLS to a Prometheus behind a private CA (as on government clouds), against a real loopback
 * HTTPS server: the CA option, the refusal without it, and the explicit opt-out.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PromClient, PromQueryError } from '../../../collectors/prometheus/client.js';
import { describeWithServices, type BinaryLookup } from '../../harness/services.js';

const OPENSSL = ['/usr/bin/openssl', '/bin/openssl'].find((path) => {
  try {
    execFileSync(path, ['version']);
    return true;
  } catch {
    return false;
  }
});
const openssl: BinaryLookup = {
  service: 'OpenSSL',
  path: OPENSSL,
  searched: '/usr/bin/openssl',
  install: 'apt-get install openssl',
};

/** A throwaway CA and a server certificate for 127.0.0.1 that it signed. */
function makePki(dir: string): { ca: string; key: string; cert: string } {
  const run = (...args: string[]) => execFileSync(OPENSSL as string, args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=Yunshu Test CA',
  );
  run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=prometheus.test');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return { ca: read('ca.crt'), key: read('server.key'), cert: read('server.crt') };
}

describeWithServices('PromClient over TLS with a private CA', [openssl], () => {
  let dir: string;
  let server: Server;
  let endpoint: string;
  let ca: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yunshu-prom-tls-'));
    const pki = makePki(dir);
    ca = pki.ca;
    server = createServer({ key: pki.key, cert: pki.cert }, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  test('trusts the configured CA', async () => {
    const client = new PromClient({ endpoint, tls: { ca } });
    await expect(client.instant('up')).resolves.toMatchObject({ series: [], attempts: 1 });
  });

  test('refuses an unknown CA as a tls error, without retrying', async () => {
    const client = new PromClient({ endpoint, retry: { retries: 3 } });
    const error: unknown = await client.instant('up').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PromQueryError);
    expect(error).toMatchObject({ errorType: 'tls', attempts: 1 });
    expect((error as PromQueryError).code).toMatch(/CERT|SIGNATURE|ISSUER/);
  });

  test('insecureSkipVerify accepts it', async () => {
    const client = new PromClient({ endpoint, tls: { insecureSkipVerify: true } });
    await expect(client.instant('up')).resolves.toMatchObject({ series: [] });
  });
});
