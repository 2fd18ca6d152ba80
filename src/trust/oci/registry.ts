// A minimal client of the OCI Distribution API for what signing and verification need: manifests and
// blobs (read and write), the referrers API and its tag-scheme fallback. Loopback registries are spoken
// to over plain HTTP, as cosign does; any other host only over HTTPS unless named as insecure.
import { createHash } from 'node:crypto';
import { BulwarkError } from '../../core/index.ts';
import { parseChallenges, type Challenge } from '../../image/registry/challenge.ts';
import { credentialsFor, loadDockerConfig, type Credentials } from '../../image/registry/docker-config.ts';
import { limits } from '../limits.ts';
import { Agents, exchange, type Exchange } from './http.ts';

export interface RegistryOptions {
  /** Hosts (host or host:port) allowed over plain HTTP besides loopback. */
  insecureHosts?: ReadonlySet<string>;
  /** Looked up once per host, only when a registry asks for authentication. */
  credentials?: (host: string) => Promise<Credentials | null>;
  /** Bound on each request (connect to end of body). */
  timeoutMs?: number;
  userAgent?: string;
}

export interface Manifest {
  bytes: Buffer;
  mediaType: string | undefined;
  digest: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;
const DEFAULT_TIMEOUT = 30_000;
const MAX_TOKEN_BYTES = 1024 * 1024;
const MAX_ERROR_BYTES = 64 * 1024;
const REFERRERS_API_RECHECK_MS = 5 * 60_000;
const MAX_REDIRECTS = 5;

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

export const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

type Response = Exchange;

/** A client for one registry host, reusing connections and tokens across calls. */
export class Registry {
  readonly host: string;
  readonly #base: string;
  readonly #options: RegistryOptions;
  readonly #authorization = new Map<string, string>();
  #credentials: Promise<Credentials | null> | undefined;
  #referrersApiMissingUntil = 0;
  readonly #agents = new Agents();

  constructor(host: string, options: RegistryOptions = {}) {
    this.host = host;
    this.#options = options;
    const plain = LOOPBACK.test(host) || options.insecureHosts?.has(host) === true;
    this.#base = `${plain ? 'http' : 'https'}://${host}`;
  }

  /** The manifest by tag or digest; `undefined` when the registry has none. The digest is verified. */
  async getManifest(repository: string, reference: string, accept: string = MANIFEST_ACCEPT): Promise<Manifest | undefined> {
    const what = `${this.host}/${repository}:${reference}`;
    const response = await this.#request('GET', repository, `/v2/${repository}/manifests/${reference}`, { accept }, undefined, limits.manifestBytes, 'pull');
    if (response.status === 404) return undefined;
    this.#expect(response, [200], `${what} manifest`);
    const digest = sha256Digest(response.body);
    if (reference.includes(':') && reference !== digest) throw new BulwarkError('E_INPUT', `${what}: the manifest content hashes to ${digest}, not the digest asked for`);
    const header = response.headers.get('docker-content-digest');
    if (!reference.includes(':') && header !== null && header.startsWith('sha256:') && header !== digest) {
      throw new BulwarkError('E_INPUT', `${what}: the registry says ${header} but the content hashes to ${digest}`);
    }
    return { bytes: response.body, mediaType: response.headers.get('content-type')?.split(';')[0]?.trim(), digest };
  }

  /** Digest, media type and size of a manifest without its body; `undefined` when absent. */
  async headManifest(repository: string, reference: string): Promise<Descriptor | undefined> {
    const response = await this.#request('HEAD', repository, `/v2/${repository}/manifests/${reference}`, { accept: MANIFEST_ACCEPT }, undefined, 0, 'pull');
    if (response.status === 404) return undefined;
    this.#expect(response, [200], `${this.host}/${repository}:${reference} manifest`);
    const digest = response.headers.get('docker-content-digest');
    const size = Number(response.headers.get('content-length'));
    const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim();
    if (digest === null || !/^sha256:[0-9a-f]{64}$/.test(digest) || mediaType === undefined) {
      // Some registries omit the digest on HEAD: fall back to fetching the manifest.
      const manifest = await this.getManifest(repository, reference);
      return manifest === undefined ? undefined : { mediaType: manifest.mediaType ?? MEDIA.ociManifest, digest: manifest.digest, size: manifest.bytes.length };
    }
    return { mediaType, digest, size };
  }

  async putManifest(repository: string, reference: string, mediaType: string, bytes: Buffer): Promise<{ digest: string; subjectAccepted: boolean }> {
    const response = await this.#request('PUT', repository, `/v2/${repository}/manifests/${reference}`, { 'content-type': mediaType }, bytes, MAX_ERROR_BYTES, 'push');
    this.#expect(response, [201, 200], `${this.host}/${repository}:${reference} manifest upload`);
    // OCI 1.1: a registry that indexes the `subject` for the referrers API says so with this header.
    return { digest: sha256Digest(bytes), subjectAccepted: response.headers.get('oci-subject') !== null };
  }

  /** A blob, refused above `maxBytes` and checked against its digest. */
  async getBlob(repository: string, digest: string, maxBytes: number): Promise<Buffer> {
    const what = `${this.host}/${repository}@${digest}`;
    const response = await this.#request('GET', repository, `/v2/${repository}/blobs/${digest}`, {}, undefined, maxBytes, 'pull');
    if (response.status === 404) throw new BulwarkError('E_INPUT', `${what}: blob not found`);
    this.#expect(response, [200], what);
    if (sha256Digest(response.body) !== digest) throw new BulwarkError('E_INPUT', `${what}: the blob content does not match its digest`);
    return response.body;
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const response = await this.#request('HEAD', repository, `/v2/${repository}/blobs/${digest}`, {}, undefined, 0, 'push');
    return response.status === 200;
  }

  /** Uploads a blob (monolithic: POST then PUT), skipping it when the registry already has it. */
  async putBlob(repository: string, bytes: Buffer): Promise<Descriptor & { mediaType: '' }> {
    const digest = sha256Digest(bytes);
    if (await this.hasBlob(repository, digest)) return { mediaType: '', digest, size: bytes.length };
    const start = await this.#request('POST', repository, `/v2/${repository}/blobs/uploads/`, {}, undefined, MAX_ERROR_BYTES, 'push');
    this.#expect(start, [202], `${this.host}/${repository} blob upload`);
    const location = start.headers.get('location');
    if (location === null) throw new BulwarkError('E_IO', `${this.host}/${repository}: the registry gave no upload location`);
    const url = new URL(location, this.#base);
    if (url.origin !== new URL(this.#base).origin) throw new BulwarkError('E_INPUT', `${this.host}: the upload location ${url.origin} is another host; refusing`);
    url.searchParams.set('digest', digest);
    const done = await this.#request('PUT', repository, url.pathname + url.search, { 'content-type': 'application/octet-stream' }, bytes, MAX_ERROR_BYTES, 'push');
    this.#expect(done, [201, 204], `${this.host}/${repository} blob upload`);
    return { mediaType: '', digest, size: bytes.length };
  }

  /**
   * The referrers of a manifest: from the OCI 1.1 referrers API when the registry has it, else from
   * the `sha256-<hex>` tag of the referrers tag scheme. `api` tells which answered.
   */
  async referrers(repository: string, digest: string, artifactType?: string): Promise<{ api: boolean; descriptors: Descriptor[] }> {
    if (this.#referrersApiMissingUntil <= Date.now()) {
      const query = artifactType === undefined ? '' : `?artifactType=${encodeURIComponent(artifactType)}`;
      const response = await this.#request('GET', repository, `/v2/${repository}/referrers/${digest}${query}`, { accept: MEDIA.ociIndex }, undefined, limits.manifestBytes, 'pull');
      const contentType = response.headers.get('content-type') ?? '';
      if (response.status === 200 && contentType.startsWith(MEDIA.ociIndex)) {
        return { api: true, descriptors: filterType(parseIndex(response.body, `${this.host}/${repository} referrers of ${digest}`), artifactType) };
      }
      if (response.status !== 404 && response.status !== 200 && response.status !== 405) this.#expect(response, [200, 404], `${this.host}/${repository} referrers`);
      // A registry without the API will not grow one in the next minutes: skip the round trip meanwhile.
      this.#referrersApiMissingUntil = Date.now() + REFERRERS_API_RECHECK_MS;
    }
    const index = await this.getManifest(repository, referrersTag(digest), MEDIA.ociIndex);
    if (index === undefined) return { api: false, descriptors: [] };
    return { api: false, descriptors: filterType(parseIndex(index.bytes, `${this.host}/${repository}:${referrersTag(digest)}`), artifactType) };
  }

  #expect(response: Response, statuses: readonly number[], what: string): void {
    if (statuses.includes(response.status)) return;
    let detail = '';
    try {
      const errors = (JSON.parse(response.body.toString('utf8')) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
      detail = errors.map((error) => `${error.code ?? ''} ${error.message ?? ''}`.trim()).join('; ');
    } catch {
      detail = response.body.toString('utf8').slice(0, 200).replace(/\s+/g, ' ');
    }
    if (response.status === 401 || response.status === 403) {
      throw new BulwarkError('E_INPUT', `${what}: access denied (HTTP ${response.status}${detail ? `: ${detail}` : ''}); log in with docker login`);
    }
    throw new BulwarkError('E_IO', `${what}: HTTP ${response.status}${detail ? `: ${detail}` : ''}`);
  }

  async #request(method: string, repository: string, path: string, headers: Record<string, string>, body: Buffer | undefined, maxBytes: number, access: 'pull' | 'push'): Promise<Response> {
    const scope = `repository:${repository}:${access === 'push' ? 'pull,push' : 'pull'}`;
    let response = await this.#send(method, new URL(path, this.#base), headers, body, maxBytes, this.#authorization.get(scope));
    if (response.status !== 401) return response;
    const challenges = parseChallenges(response.headers.get('www-authenticate') ?? '');
    const authorization = await this.#answer(challenges, scope);
    if (authorization === null) {
      throw new BulwarkError('E_INPUT', `${this.host}/${repository}: the registry requires authentication and no credentials were found; log in with docker login`);
    }
    this.#authorization.set(scope, authorization);
    response = await this.#send(method, new URL(path, this.#base), headers, body, maxBytes, authorization);
    return response;
  }

  /** One request; GET and HEAD follow redirects (blob storage), never from HTTPS down to HTTP, credentials only to the same origin. */
  async #send(method: string, url: URL, headers: Record<string, string>, body: Buffer | undefined, maxBytes: number, authorization: string | undefined): Promise<Response> {
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_TIMEOUT;
    const origin = url.origin;
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const sameOrigin = current.origin === origin;
      const response = await exchange(
        current,
        {
          method,
          headers: { 'user-agent': this.#options.userAgent ?? 'bulwark', ...headers, ...(authorization !== undefined && sameOrigin ? { authorization } : {}) },
          ...(body === undefined ? {} : { body }),
          maxBytes: method === 'HEAD' ? 0 : Math.max(maxBytes, MAX_ERROR_BYTES),
          timeoutMs,
        },
        this.#agents,
      );
      const location = response.headers.get('location');
      const redirect = response.status >= 300 && response.status < 400 && response.status !== 304 && location !== null;
      if (!redirect || (method !== 'GET' && method !== 'HEAD')) return response;
      const next = new URL(location, current);
      if (current.protocol === 'https:' && next.protocol !== 'https:') {
        throw new BulwarkError('E_INPUT', `${this.host}: redirected from HTTPS to ${next.origin}; refusing`);
      }
      current = next;
    }
    throw new BulwarkError('E_IO', `${url.href}: more than ${MAX_REDIRECTS} redirects`);
  }

  /** Closes idle connections (a long-lived process keeps them for reuse). */
  close(): void {
    this.#agents.destroy();
  }

  #lookupCredentials(): Promise<Credentials | null> {
    const lookup = this.#options.credentials ?? defaultCredentials;
    this.#credentials ??= lookup(this.host);
    return this.#credentials;
  }

  async #answer(challenges: Challenge[], scope: string): Promise<string | null> {
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
    const basic = challenges.find((challenge) => challenge.scheme === 'basic');
    const credentials = await this.#lookupCredentials();
    const basicHeader = credentials?.kind === 'basic' ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
    if (bearer !== undefined) {
      const realmText = bearer.params.realm ?? '';
      let realm: URL;
      try {
        realm = new URL(realmText);
      } catch {
        throw new BulwarkError('E_INPUT', `${this.host}: bearer realm ${JSON.stringify(realmText)} is not a URL`);
      }
      // Credentials go to the realm: never over plain HTTP, except to a loopback realm of a loopback registry.
      if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && (LOOPBACK.test(realm.host) || this.#options.insecureHosts?.has(realm.host) === true))) {
        throw new BulwarkError('E_INPUT', `${this.host}: token realm ${realm.origin} is not HTTPS; refusing to send credentials`);
      }
      if (bearer.params.service !== undefined) realm.searchParams.set('service', bearer.params.service);
      realm.searchParams.append('scope', scope);
      const response = await this.#send('GET', realm, {}, undefined, MAX_TOKEN_BYTES, basicHeader);
      if (response.status !== 200) throw new BulwarkError('E_INPUT', `${this.host}: the token service ${realm.origin} answered HTTP ${response.status}`);
      let token: unknown;
      try {
        const reply = JSON.parse(response.body.toString('utf8')) as { token?: unknown; access_token?: unknown };
        token = reply.token ?? reply.access_token;
      } catch {
        throw new BulwarkError('E_INPUT', `${this.host}: the token service did not answer JSON`);
      }
      if (typeof token !== 'string' || token === '' || /[\r\n]/.test(token)) throw new BulwarkError('E_INPUT', `${this.host}: the token service returned no usable token`);
      return `Bearer ${token}`;
    }
    if (basic !== undefined) return basicHeader ?? null;
    return null;
  }
}

async function defaultCredentials(host: string): Promise<Credentials | null> {
  return credentialsFor(host, loadDockerConfig());
}

/** The tag the referrers tag scheme keeps an image's referrers index under. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}

function filterType(descriptors: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType === undefined ? descriptors : descriptors.filter((descriptor) => descriptor.artifactType === artifactType);
}

/** The descriptors of an image index (or referrers response), each checked. */
export function parseIndex(bytes: Buffer, what: string): Descriptor[] {
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BulwarkError('E_PARSE', `${what}: not JSON`);
  }
  const manifests = document !== null && typeof document === 'object' ? (document as { manifests?: unknown }).manifests : undefined;
  if (!Array.isArray(manifests)) throw new BulwarkError('E_PARSE', `${what}: "manifests" must be an array`);
  return manifests.slice(0, limits.referrersPerImage).map((entry, index) => parseDescriptor(entry, `${what}: manifests[${index}]`));
}

export function parseDescriptor(entry: unknown, what: string): Descriptor {
  const value = entry as Partial<Descriptor> | null;
  if (value === null || typeof value !== 'object') throw new BulwarkError('E_PARSE', `${what}: a descriptor must be an object`);
  if (typeof value.mediaType !== 'string') throw new BulwarkError('E_PARSE', `${what}: "mediaType" must be a string`);
  if (typeof value.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(value.digest)) throw new BulwarkError('E_PARSE', `${what}: "digest" must be sha256:<64 hex>`);
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0) throw new BulwarkError('E_PARSE', `${what}: "size" must be a non-negative integer`);
  const descriptor: Descriptor = { mediaType: value.mediaType, digest: value.digest, size: value.size };
  if (typeof value.artifactType === 'string') descriptor.artifactType = value.artifactType;
  if (value.annotations !== undefined && value.annotations !== null && typeof value.annotations === 'object') {
    const annotations: Record<string, string> = {};
    for (const [key, text] of Object.entries(value.annotations)) if (typeof text === 'string') annotations[key] = text;
    descriptor.annotations = annotations;
  }
  return descriptor;
}
