/**
 * Which platforms an image provides, asked of its registry over the OCI distribution API: the
 * platforms of an image index / manifest list, or the config blob's architecture for a single
 * manifest. Anonymous pulls only (Bearer token flow included); any failure means "unknown"
 * (`undefined`), never an exception, so a registry outage cannot break the mismatch finder.
 */
import type { ImagePlatformResolver } from './arch-mismatch.js';

export interface ImageRef {
  /** Registry host[:port] as contacted, e.g. registry-1.docker.io, harbor.gov.example:8443. */
  registry: string;
  /** Repository path, e.g. library/nginx. */
  repository: string;
  /** Tag or digest to fetch the manifest by. */
  reference: string;
}

const DOCKER_HUB = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Parses an image reference as the container runtimes do (docker.io and library/ defaults). */
export function parseImageRef(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  // The first component names a registry only if it looks like a host; otherwise it is Docker Hub.
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? rest.slice(slash + 1) : rest;
  if (DOCKER_HUB_ALIASES.has(registry)) {
    registry = DOCKER_HUB;
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  return { registry, repository, reference: digest ?? tag ?? 'latest' };
}

const INDEX_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];
const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];
const ACCEPT = [...INDEX_TYPES, ...MANIFEST_TYPES].join(', ');

interface Platform {
  os?: string;
  architecture?: string;
  variant?: string;
}

interface ManifestBody {
  mediaType?: string;
  manifests?: { platform?: Platform }[];
  config?: { digest?: string };
}

export interface OciResolverOptions {
  /** How long an answer is reused (default 1 h): tags are re-pushed, so not forever. */
  ttlMs?: number;
  /** How long "unknown" is reused (default 5 min), so an outage is retried but not hammered. */
  unknownTtlMs?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** Registries spoken to over plain http (host[:port]), e.g. an in-cluster registry. */
  insecureRegistries?: readonly string[];
  now?: () => number;
}

const formatPlatform = (p: Platform) =>
  [p.os ?? 'unknown', p.architecture ?? 'unknown', ...(p.variant ? [p.variant] : [])].join('/');

/** Parses Bearer challenge parameters: realm="...",service="...",scope="...". */
function bearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const [, key, value] of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) {
    if (key && value !== undefined) params[key.toLowerCase()] = value;
  }
  return params.realm ? params : undefined;
}

/** One resolution's registry token, shared by the manifest and config-blob requests. */
interface Session {
  token: string | undefined;
  scope: string;
}

export class OciImagePlatformResolver implements ImagePlatformResolver {
  private readonly cache = new Map<string, { expires: number; value: Promise<string[] | undefined> }>();
  private readonly options: Required<OciResolverOptions>;

  constructor(options: OciResolverOptions = {}) {
    this.options = {
      ttlMs: 60 * 60_000,
      unknownTtlMs: 5 * 60_000,
      timeoutMs: 10_000,
      insecureRegistries: [],
      now: Date.now,
      ...options,
    };
  }

  /** Platforms as os/arch[/variant], e.g. ["linux/amd64", "linux/arm64/v8"]; undefined when unknown. */
  platformsOf(image: string): Promise<string[] | undefined> {
    const now = this.options.now();
    const hit = this.cache.get(image);
    if (hit && hit.expires > now) return hit.value;
    // Concurrent callers share one lookup; the expiry is settled once the answer is known.
    const entry = { expires: Number.POSITIVE_INFINITY, value: this.lookup(image) };
    this.cache.set(image, entry);
    void entry.value.then((platforms) => {
      entry.expires = this.options.now() + (platforms ? this.options.ttlMs : this.options.unknownTtlMs);
    });
    return entry.value;
  }

  private async lookup(image: string): Promise<string[] | undefined> {
    try {
      const ref = parseImageRef(image);
      const scheme = this.options.insecureRegistries.includes(ref.registry) ? 'http' : 'https';
      const base = `${scheme}://${ref.registry}/v2/${ref.repository}`;
      const session: Session = { token: undefined, scope: `repository:${ref.repository}:pull` };

      const manifest = await this.get(`${base}/manifests/${ref.reference}`, ACCEPT, session);
      if (!manifest?.ok) return undefined;
      const body = (await manifest.json()) as ManifestBody;
      const mediaType = manifest.headers.get('content-type')?.split(';')[0]?.trim() || body.mediaType;

      if ((mediaType && INDEX_TYPES.includes(mediaType)) || Array.isArray(body.manifests)) {
        const platforms = (body.manifests ?? [])
          .map((m) => m.platform)
          // Attestation manifests (buildx provenance/SBOM) carry platform unknown/unknown.
          .filter((p): p is Platform => p !== undefined && p.os !== 'unknown')
          .map(formatPlatform);
        return [...new Set(platforms)];
      }
      const digest = body.config?.digest;
      if (!digest) return undefined;
      const config = await this.get(`${base}/blobs/${digest}`, '*/*', session);
      if (!config?.ok) return undefined;
      const platform = (await config.json()) as Platform;
      return platform.architecture ? [formatPlatform(platform)] : undefined;
    } catch {
      return undefined;
    }
  }

  /** GET with the anonymous token flow: on a Bearer challenge, fetch a token once and retry. */
  private async get(url: string, accept: string, session: Session): Promise<Response | undefined> {
    const request = () =>
      fetch(url, {
        headers: { accept, ...(session.token ? { authorization: `Bearer ${session.token}` } : {}) },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    const response = await request();
    if (response.status !== 401 || session.token) return response;
    const challenge = bearerChallenge(response.headers.get('www-authenticate'));
    if (!challenge) return response;
    await response.body?.cancel();
    const tokenUrl = new URL(challenge.realm ?? '');
    if (challenge.service) tokenUrl.searchParams.set('service', challenge.service);
    tokenUrl.searchParams.set('scope', challenge.scope ?? session.scope);
    const tokenResponse = await fetch(tokenUrl, { signal: AbortSignal.timeout(this.options.timeoutMs) });
    if (!tokenResponse.ok) return undefined;
    const { token, access_token } = (await tokenResponse.json()) as { token?: string; access_token?: string };
    session.token = token ?? access_token;
    return session.token ? request() : undefined;
  }
}
