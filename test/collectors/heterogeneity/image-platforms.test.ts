import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { OciImagePlatformResolver, parseImageRef } from '../../../collectors/heterogeneity/index.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const HUB = 'https://registry-1.docker.io';
const HARBOR = 'https://harbor.gov.example:8443';

const entry = (architecture: string, os = 'linux', variant?: string) => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${architecture.padEnd(64, '0').slice(0, 64)}`,
  size: 1000,
  platform: { os, architecture, ...(variant ? { variant } : {}) },
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('parseImageRef', () => {
  test.each([
    ['nginx', { registry: 'registry-1.docker.io', repository: 'library/nginx', reference: 'latest' }],
    ['nginx:1.25', { registry: 'registry-1.docker.io', repository: 'library/nginx', reference: '1.25' }],
    [
      'docker.io/bitnami/redis:7.2',
      { registry: 'registry-1.docker.io', repository: 'bitnami/redis', reference: '7.2' },
    ],
    [
      'grafana/grafana:6.1.6',
      { registry: 'registry-1.docker.io', repository: 'grafana/grafana', reference: '6.1.6' },
    ],
    [
      'harbor.gov.example:8443/portal/api:2.4.1',
      { registry: 'harbor.gov.example:8443', repository: 'portal/api', reference: '2.4.1' },
    ],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app', reference: 'latest' }],
    [
      'quay.io/kiali/kiali:v0.20@sha256:60ceb57682e95fa3fb7c6e12d797f21c9e242c5583fa024a859d1085d0985c7b',
      {
        registry: 'quay.io',
        repository: 'kiali/kiali',
        reference: 'sha256:60ceb57682e95fa3fb7c6e12d797f21c9e242c5583fa024a859d1085d0985c7b',
      },
    ],
  ])('%s', (image, expected) => {
    expect(parseImageRef(image)).toEqual(expected);
  });
});

describe('OciImagePlatformResolver', () => {
  test('an OCI index with amd64 and arm64 (attestations ignored), fetched with the index media types', async () => {
    const scope = nock(HUB, {
      reqheaders: { accept: (v) => Boolean(v?.includes(OCI_INDEX) && v.includes(DOCKER_LIST)) },
    })
      .get('/v2/library/nginx/manifests/1.25')
      .reply(
        200,
        {
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: [entry('amd64'), entry('arm64', 'linux', 'v8'), entry('unknown', 'unknown')],
        },
        { 'content-type': OCI_INDEX },
      );
    await expect(new OciImagePlatformResolver().platformsOf('nginx:1.25')).resolves.toEqual([
      'linux/amd64',
      'linux/arm64/v8',
    ]);
    scope.done();
  });

  test('a Docker manifest list with amd64 only', async () => {
    nock(HARBOR)
      .get('/v2/portal/api/manifests/2.4.1')
      .reply(
        200,
        { schemaVersion: 2, mediaType: DOCKER_LIST, manifests: [entry('amd64')] },
        { 'content-type': DOCKER_LIST },
      );
    await expect(
      new OciImagePlatformResolver().platformsOf('harbor.gov.example:8443/portal/api:2.4.1'),
    ).resolves.toEqual(['linux/amd64']);
  });

  test('a single-arch manifest: the architecture comes from the config blob', async () => {
    const config = 'sha256:c0ffee0000000000000000000000000000000000000000000000000000000000';
    nock(HARBOR)
      .get('/v2/etl/batch/manifests/1.0')
      .reply(
        200,
        { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { digest: config }, layers: [] },
        {
          'content-type': DOCKER_MANIFEST,
        },
      )
      .get(`/v2/etl/batch/blobs/${config}`)
      .reply(200, { architecture: 'loong64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    await expect(
      new OciImagePlatformResolver().platformsOf('harbor.gov.example:8443/etl/batch:1.0'),
    ).resolves.toEqual(['linux/loong64']);
  });

  test('anonymous token flow: 401 with a Bearer challenge, token, retry (token reused for the blob)', async () => {
    const config = 'sha256:beef000000000000000000000000000000000000000000000000000000000000';
    const challenge =
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"';
    nock(HUB)
      .get('/v2/library/busybox/manifests/latest')
      .reply(401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': challenge });
    nock('https://auth.docker.io')
      .get('/token')
      .query({ service: 'registry.docker.io', scope: 'repository:library/busybox:pull' })
      .reply(200, { token: 'anon-token', expires_in: 300 });
    nock(HUB, { reqheaders: { authorization: 'Bearer anon-token' } })
      .get('/v2/library/busybox/manifests/latest')
      .reply(200, { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { digest: config } })
      .get(`/v2/library/busybox/blobs/${config}`)
      .reply(200, { architecture: 'arm64', os: 'linux', variant: 'v8' });
    await expect(new OciImagePlatformResolver().platformsOf('busybox')).resolves.toEqual(['linux/arm64/v8']);
    expect(nock.isDone()).toBe(true);
  });

  test('404 and network errors are "unknown", never a throw', async () => {
    nock(HARBOR)
      .get('/v2/portal/gone/manifests/1')
      .reply(404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] });
    nock(HARBOR).get('/v2/portal/down/manifests/1').replyWithError('connect ECONNREFUSED');
    const resolver = new OciImagePlatformResolver();
    await expect(resolver.platformsOf('harbor.gov.example:8443/portal/gone:1')).resolves.toBeUndefined();
    await expect(resolver.platformsOf('harbor.gov.example:8443/portal/down:1')).resolves.toBeUndefined();
  });

  test('a registry that does not answer in time is "unknown"', async () => {
    // A real socket that never answers: the timeout must abort it (nock's own delay cannot be aborted cleanly).
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    nock.enableNetConnect(registry);
    try {
      const resolver = new OciImagePlatformResolver({ timeoutMs: 100, insecureRegistries: [registry] });
      await expect(resolver.platformsOf(`${registry}/portal/slow:1`)).resolves.toBeUndefined();
    } finally {
      nock.disableNetConnect();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('answers are cached until their TTL; concurrent lookups share one request', async () => {
    let now = 0;
    const resolver = new OciImagePlatformResolver({ ttlMs: 1000, now: () => now });
    const scope = nock(HARBOR)
      .get('/v2/portal/api/manifests/2')
      .once()
      .reply(200, { mediaType: OCI_INDEX, manifests: [entry('amd64')] }, { 'content-type': OCI_INDEX });
    const image = 'harbor.gov.example:8443/portal/api:2';
    const [a, b] = await Promise.all([resolver.platformsOf(image), resolver.platformsOf(image)]);
    expect(a).toEqual(['linux/amd64']);
    expect(b).toBe(a);
    now = 999;
    await expect(resolver.platformsOf(image)).resolves.toEqual(['linux/amd64']);
    scope.done();

    now = 1001;
    nock(HARBOR)
      .get('/v2/portal/api/manifests/2')
      .reply(
        200,
        { mediaType: OCI_INDEX, manifests: [entry('amd64'), entry('arm64')] },
        { 'content-type': OCI_INDEX },
      );
    await expect(resolver.platformsOf(image)).resolves.toEqual(['linux/amd64', 'linux/arm64']);
  });

  test('insecure registries are spoken to over http', async () => {
    nock('http://registry.kube-system.svc:5000')
      .get('/v2/tools/kubectl/manifests/1.28')
      .reply(200, { mediaType: OCI_INDEX, manifests: [entry('sw64')] }, { 'content-type': OCI_INDEX });
    const resolver = new OciImagePlatformResolver({ insecureRegistries: ['registry.kube-system.svc:5000'] });
    await expect(resolver.platformsOf('registry.kube-system.svc:5000/tools/kubectl:1.28')).resolves.toEqual([
      'linux/sw64',
    ]);
  });
});
