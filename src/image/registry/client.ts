import type { Readable } from 'node:stream';
import { BulwarkError } from '../../core/index.ts';
import { DigestVerifier, verifyBytes, digestOf } from '../oci/digest.ts';
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES } from '../oci/manifest.ts';
import { isValidDigest } from '../reference.ts';
import { parseChallenges, type Challenge } from './challenge.ts';
import { credentialsFor, loadDockerConfig, type Credentials } from './docker-config.ts';
import { Agents, discard, header, readBody, send, type HttpOptions, type HttpResponse } from './http.ts';
import { MEDIA, filterType, parseIndex, referrersTag, type Descriptor } from './referrers.ts';

export interface RegistryClientOptions {
  /** The Distribution API host, with port: `ghcr.io`, `127.0.0.1:5000`. */
  host: string;
  /** Hosts (host or host:port) that may be spoken to over plain HTTP; nothing else ever is. */
  insecureHosts?: ReadonlySet<string>;
  /**
   * Loopback hosts (127.0.0.0/8, localhost, [::1]) over plain HTTP without naming them, as cosign and
   * the Docker daemon do for local registries. Off by default.
   */
  plainHttpLoopback?: boolean;
  /** PEM CA certificates to trust besides the system's. */
  ca?: string;
  /**
   * Looked up once, only when the registry asks for authentication. Default: the Docker config
   * (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`) and its credential helpers.
   */
  credentials?: (host: string) => Promise<Credentials | null>;
  /** Bound on each request that is read whole (manifests, tokens, small blobs): connect to end of body. */
  timeoutMs?: number;
  userAgent?: string;
}

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string | undefined;
  digest: string;
}

/** What a blob is known by when reading it: its digest and, to bound the read, its size. */
export interface BlobRef {
  digest: string;
  size: number;
}

type Access = 'pull' | 'push';

const MAX_REDIRECTS = 5;
const MAX_TOKEN_BYTES = 1024 * 1024;
const MAX_ERROR_BYTES = 64 * 1024;
const MAX_TAGS_BYTES = 4 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const REFERRERS_API_RECHECK_MS = 5 * 60_000;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

function hostnameOf(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}

async function dockerConfigCredentials(host: string): Promise<Credentials | null> {
  return credentialsFor(host, loadDockerConfig());
}

/**
 * The one client of the OCI Distribution API (https://github.com/opencontainers/distribution-spec)
 * for one registry host: manifests and blobs (read, streamed and written), tags, the referrers API
 * and its tag-scheme fallback; anonymous, basic, bearer-token and identity-token authentication;
 * every digest verified, every body bounded, connections and tokens reused across calls.
 */
export class RegistryClient {
  readonly host: string;
  readonly #options: RegistryClientOptions;
  readonly #base: string;
  readonly #agents: Agents;
  /** Authorization header per repository scope, once a challenge has been answered. */
  readonly #authorization = new Map<string, string>();
  #credentials: Promise<Credentials | null> | undefined;
  #referrersApiMissingUntil = 0;

  constructor(options: RegistryClientOptions) {
    this.host = options.host;
    this.#options = options;
    this.#base = `${this.#isInsecure(options.host) ? 'http' : 'https'}://${options.host}`;
    this.#agents = new Agents(options.ca);
  }

  #isInsecure(host: string): boolean {
    if (this.#options.plainHttpLoopback === true && LOOPBACK.test(host)) return true;
    return this.#options.insecureHosts?.has(host) === true || this.#options.insecureHosts?.has(hostnameOf(host)) === true;
  }

  #lookupCredentials(): Promise<Credentials | null> {
    this.#credentials ??= (this.#options.credentials ?? dockerConfigCredentials)(this.host);
    return this.#credentials;
  }

  /** The manifest by tag or digest; fails when the registry has none. The digest is verified. */
  async getManifest(repository: string, reference: string, accept: string = MANIFEST_ACCEPT): Promise<FetchedManifest> {
    const manifest = await this.findManifest(repository, reference, accept);
    if (manifest === undefined) throw new BulwarkError('E_INPUT', `${this.host}/${repository}:${reference}: manifest not found (check the repository name and tag)`);
    return manifest;
  }

  /** The manifest by tag or digest, `undefined` when the registry has none (a signature tag often is absent). */
  async findManifest(repository: string, reference: string, accept: string = MANIFEST_ACCEPT): Promise<FetchedManifest | undefined> {
    const what = `${this.host}/${repository}:${reference}`;
    const response = await this.#request('GET', repository, `/v2/${repository}/manifests/${reference}`, { accept }, 'pull');
    if (response.status === 404) {
      await discard(response);
      return undefined;
    }
    await this.#expect(response, [200], `${what} manifest`);
    const bytes = await readBody(response, MAX_MANIFEST_BYTES, `${what} manifest`);
    const mediaType = header(response, 'content-type')?.split(';')[0]?.trim();
    if (isValidDigest(reference)) {
      verifyBytes(bytes, reference, `${what} manifest`);
      return { bytes, mediaType, digest: reference };
    }
    const digest = digestOf(bytes);
    const declared = header(response, 'docker-content-digest');
    if (declared !== undefined && declared.startsWith('sha256:') && declared !== digest) {
      throw new BulwarkError('E_INPUT', `${what} manifest: the registry says ${declared} but the content hashes to ${digest}`);
    }
    return { bytes, mediaType, digest };
  }

  /** Digest, media type and size of a manifest without its body; `undefined` when absent. */
  async headManifest(repository: string, reference: string): Promise<Descriptor | undefined> {
    const response = await this.#request('HEAD', repository, `/v2/${repository}/manifests/${reference}`, { accept: MANIFEST_ACCEPT }, 'pull');
    response.body.resume();
    if (response.status === 404) return undefined;
    if (response.status !== 200) {
      const what = `${this.host}/${repository}:${reference} manifest`;
      if (response.status === 401 || response.status === 403) throw new BulwarkError('E_INPUT', `${what}: access denied (HTTP ${response.status}); log in with docker login`);
      throw new BulwarkError('E_IO', `${what}: HTTP ${response.status}`);
    }
    const digest = header(response, 'docker-content-digest');
    const size = Number(header(response, 'content-length'));
    const mediaType = header(response, 'content-type')?.split(';')[0]?.trim();
    const digestUsable = digest !== undefined && isValidDigest(digest) && (!isValidDigest(reference) || digest === reference);
    if (!digestUsable || mediaType === undefined || !Number.isSafeInteger(size)) {
      // Some registries omit the digest on HEAD: fetch the manifest and hash it.
      const manifest = await this.findManifest(repository, reference);
      return manifest === undefined ? undefined : { mediaType: manifest.mediaType ?? MEDIA.ociManifest, digest: manifest.digest, size: manifest.bytes.length };
    }
    return { mediaType, digest, size };
  }

  /** Pushes a manifest under a tag or its digest. `subjectAccepted`: the registry indexed its `subject` (OCI 1.1). */
  async putManifest(repository: string, reference: string, mediaType: string, bytes: Buffer): Promise<{ digest: string; subjectAccepted: boolean }> {
    if (bytes.length > MAX_MANIFEST_BYTES) throw new BulwarkError('E_TOO_LARGE', `manifest for ${repository}:${reference}: ${bytes.length} bytes exceed the ${MAX_MANIFEST_BYTES}-byte limit registries accept`);
    const response = await this.#request('PUT', repository, `/v2/${repository}/manifests/${reference}`, { 'content-type': mediaType }, 'push', bytes);
    await this.#expect(response, [200, 201], `${this.host}/${repository}:${reference} manifest upload`);
    await discard(response);
    return { digest: digestOf(bytes), subjectAccepted: header(response, 'oci-subject') !== undefined };
  }

  /** The blob's bytes as they arrive, failing the stream on a digest or size mismatch. Bounded by idle time, not total time. */
  async openBlob(repository: string, descriptor: BlobRef): Promise<Readable> {
    const what = `${this.host}/${repository}@${descriptor.digest}`;
    const response = await this.#request('GET', repository, `/v2/${repository}/blobs/${descriptor.digest}`, {}, 'pull', undefined, false);
    if (response.status === 404) {
      await discard(response);
      throw new BulwarkError('E_INPUT', `${what}: blob not found`);
    }
    await this.#expect(response, [200], what);
    return response.body.pipe(new DigestVerifier(descriptor.digest, `blob ${descriptor.digest}`, descriptor.size)).on('error', () => response.body.destroy());
  }

  /** A whole blob, refused above `max` bytes and checked against its digest and size. */
  async readBlob(repository: string, descriptor: BlobRef, max: number): Promise<Buffer> {
    if (descriptor.size > max) throw new BulwarkError('E_TOO_LARGE', `blob ${descriptor.digest}: ${descriptor.size} bytes exceed the ${max}-byte limit`);
    const what = `${this.host}/${repository}@${descriptor.digest}`;
    const response = await this.#request('GET', repository, `/v2/${repository}/blobs/${descriptor.digest}`, {}, 'pull');
    if (response.status === 404) {
      await discard(response);
      throw new BulwarkError('E_INPUT', `${what}: blob not found`);
    }
    await this.#expect(response, [200], what);
    const bytes = await readBody(response, max, what);
    verifyBytes(bytes, descriptor.digest, `blob ${descriptor.digest}`, descriptor.size);
    return bytes;
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const response = await this.#request('HEAD', repository, `/v2/${repository}/blobs/${digest}`, {}, 'push');
    response.body.resume();
    return response.status === 200;
  }

  /** Uploads a blob (monolithic: POST then PUT), skipping it when the registry already has it. */
  async putBlob(repository: string, bytes: Buffer): Promise<BlobRef> {
    const digest = digestOf(bytes);
    if (await this.hasBlob(repository, digest)) return { digest, size: bytes.length };
    const start = await this.#request('POST', repository, `/v2/${repository}/blobs/uploads/`, {}, 'push');
    await this.#expect(start, [202], `${this.host}/${repository} blob upload`);
    await discard(start);
    const location = header(start, 'location');
    if (location === undefined) throw new BulwarkError('E_IO', `${this.host}/${repository}: the registry gave no upload location`);
    const url = new URL(location, this.#base);
    if (url.origin !== new URL(this.#base).origin) throw new BulwarkError('E_INPUT', `${this.host}: the upload location ${url.origin} is another host; refusing`);
    url.searchParams.set('digest', digest);
    const done = await this.#request('PUT', repository, url.pathname + url.search, { 'content-type': 'application/octet-stream' }, 'push', bytes);
    await this.#expect(done, [201, 204], `${this.host}/${repository} blob upload`);
    await discard(done);
    return { digest, size: bytes.length };
  }

  /** The tags of a repository, following `Link` pagination, at most `max`. */
  async listTags(repository: string, max = 10_000): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repository}/tags/list`;
    for (let page = 0; path !== undefined && tags.length < max && page < 1000; page++) {
      const what = `${this.host}/${repository} tags`;
      const response = await this.#request('GET', repository, path, { accept: 'application/json' }, 'pull');
      if (response.status === 404) {
        await discard(response);
        return tags;
      }
      await this.#expect(response, [200], what);
      const body = await readBody(response, MAX_TAGS_BYTES, what);
      let list: unknown;
      try {
        list = (JSON.parse(body.toString('utf8')) as { tags?: unknown }).tags;
      } catch {
        throw new BulwarkError('E_PARSE', `${what}: not JSON`);
      }
      if (list !== null && list !== undefined && !Array.isArray(list)) throw new BulwarkError('E_PARSE', `${what}: "tags" must be an array`);
      for (const tag of (list ?? []) as unknown[]) if (typeof tag === 'string' && tags.length < max) tags.push(tag);
      path = nextPage(header(response, 'link'), this.#base);
    }
    return tags;
  }

  /**
   * The referrers of a manifest: from the OCI 1.1 referrers API when the registry has it, else from
   * the `sha256-<hex>` tag of the referrers tag scheme. `api` tells which answered.
   */
  async referrers(repository: string, digest: string, artifactType?: string): Promise<{ api: boolean; descriptors: Descriptor[] }> {
    if (this.#referrersApiMissingUntil <= Date.now()) {
      const query = artifactType === undefined ? '' : `?artifactType=${encodeURIComponent(artifactType)}`;
      const what = `${this.host}/${repository} referrers of ${digest}`;
      const response = await this.#request('GET', repository, `/v2/${repository}/referrers/${digest}${query}`, { accept: MEDIA.ociIndex }, 'pull');
      const contentType = header(response, 'content-type') ?? '';
      if (response.status === 200 && contentType.startsWith(MEDIA.ociIndex)) {
        return { api: true, descriptors: filterType(parseIndex(await readBody(response, MAX_MANIFEST_BYTES, what), what), artifactType) };
      }
      if (response.status !== 404 && response.status !== 200 && response.status !== 405) await this.#expect(response, [200, 404], what);
      await discard(response);
      // A registry without the API will not grow one in the next minutes: skip the round trip meanwhile.
      this.#referrersApiMissingUntil = Date.now() + REFERRERS_API_RECHECK_MS;
    }
    const tag = referrersTag(digest);
    const index = await this.findManifest(repository, tag, MEDIA.ociIndex);
    if (index === undefined) return { api: false, descriptors: [] };
    return { api: false, descriptors: filterType(parseIndex(index.bytes, `${this.host}/${repository}:${tag}`), artifactType) };
  }

  /** Closes idle connections (a long-lived process keeps them for reuse). */
  close(): void {
    this.#agents.destroy();
  }

  /** Fails with the registry's own error message unless the status is expected. Consumes the body on failure. */
  async #expect(response: HttpResponse, statuses: readonly number[], what: string): Promise<void> {
    if (statuses.includes(response.status)) return;
    const body = (await readBody(response, MAX_ERROR_BYTES, what).catch(() => Buffer.alloc(0))).toString('utf8');
    let detail = '';
    try {
      const errors = (JSON.parse(body) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
      detail = errors.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ');
    } catch {
      detail = body.slice(0, 200).replace(/\s+/g, ' ');
    }
    if (response.status === 401 || response.status === 403) {
      throw new BulwarkError('E_INPUT', `${what}: access denied (HTTP ${response.status}${detail ? `: ${detail}` : ''}); log in with docker login or pass --username and --password-stdin`);
    }
    throw new BulwarkError('E_IO', `${what}: HTTP ${response.status}${detail ? `: ${detail}` : ''}`);
  }

  /** A request with authentication (answering one challenge) and, for GET and HEAD, redirects followed safely. */
  async #request(method: NonNullable<HttpOptions['method']>, repository: string, path: string, headers: Record<string, string>, access: Access, body?: Buffer, deadline = true): Promise<HttpResponse> {
    const scope = `repository:${repository}:${access === 'push' ? 'pull,push' : 'pull'}`;
    let response = await this.#follow(method, new URL(path, this.#base), headers, body, this.#authorization.get(scope), deadline);
    if (response.status !== 401) return response;
    const challengeHeader = header(response, 'www-authenticate');
    await discard(response);
    const authorization = await this.#answer(parseChallenges(challengeHeader ?? ''), scope);
    if (authorization === null) {
      throw new BulwarkError(
        'E_INPUT',
        `${this.host}/${repository}: the registry requires authentication and no credentials were found; log in with docker login or pass --username and --password-stdin`,
      );
    }
    this.#authorization.set(scope, authorization);
    response = await this.#follow(method, new URL(path, this.#base), headers, body, authorization, deadline);
    return response;
  }

  #sendOptions(deadline: boolean): Pick<HttpOptions, 'agents' | 'deadlineMs' | 'idleTimeoutMs'> {
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return deadline ? { agents: this.#agents, deadlineMs: timeoutMs, idleTimeoutMs: timeoutMs } : { agents: this.#agents, idleTimeoutMs: timeoutMs };
  }

  async #follow(method: NonNullable<HttpOptions['method']>, url: URL, headers: Record<string, string>, body: Buffer | undefined, authorization: string | undefined, deadline: boolean): Promise<HttpResponse> {
    const origin = url.origin;
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const sameOrigin = current.origin === origin;
      const response = await send(current, {
        method,
        headers: {
          'user-agent': this.#options.userAgent ?? 'bulwark',
          ...headers,
          ...(authorization !== undefined && sameOrigin ? { authorization } : {}),
        },
        ...(body === undefined ? {} : { body }),
        ...this.#sendOptions(deadline),
      });
      const location = header(response, 'location');
      const redirect = response.status >= 300 && response.status < 400 && response.status !== 304 && location !== undefined;
      if (!redirect || (method !== 'GET' && method !== 'HEAD')) return response;
      await discard(response);
      const next = new URL(location, current);
      // Blobs are often redirected to storage; never downgrade to plain HTTP unless that host was named.
      if (next.protocol === 'http:' && !this.#isInsecure(next.host)) {
        throw new BulwarkError('E_INPUT', `${this.host}: redirected to plain HTTP ${next.origin}; refusing (name the host with --insecure-registry to allow)`);
      }
      current = next;
    }
    throw new BulwarkError('E_IO', `${url.href}: more than ${MAX_REDIRECTS} redirects`);
  }

  async #answer(challenges: Challenge[], scope: string): Promise<string | null> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const credentials = await this.#lookupCredentials();
    if (bearer !== undefined) return this.#token(bearer, scope, credentials);
    if (basic !== undefined) {
      if (credentials === null || credentials.kind !== 'basic') return null;
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    throw new BulwarkError('E_INPUT', `${this.host}: unsupported authentication scheme(s) ${challenges.map((c) => c.scheme).join(', ') || '(none given)'}`);
  }

  async #token(challenge: Challenge, scope: string, credentials: Credentials | null): Promise<string> {
    const realmText = challenge.params.realm;
    if (realmText === undefined || realmText === '') throw new BulwarkError('E_INPUT', `${this.host}: bearer challenge without a realm`);
    let realm: URL;
    try {
      realm = new URL(realmText);
    } catch {
      throw new BulwarkError('E_INPUT', `${this.host}: bearer realm ${JSON.stringify(realmText)} is not a URL`);
    }
    // Credentials go to the realm, which may be another host: never over plain HTTP unless that host,
    // or the registry's own host name on a loopback address, was allowed plain HTTP.
    const realmAllowedPlain =
      this.#isInsecure(realm.host) || (this.#isInsecure(this.host) && hostnameOf(realm.host) === hostnameOf(this.host) && LOOPBACK.test(realm.host));
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && realmAllowedPlain)) {
      throw new BulwarkError('E_INPUT', `${this.host}: token realm ${realm.origin} is not HTTPS; refusing to send credentials (name it with --insecure-registry to allow)`);
    }
    const service = challenge.params.service;
    const scopes = [scope, ...(challenge.params.scope !== undefined && challenge.params.scope !== scope ? [challenge.params.scope] : [])];
    const common = { ...this.#sendOptions(true), headers: { 'user-agent': this.#options.userAgent ?? 'bulwark' } };
    let response: HttpResponse;
    if (credentials?.kind === 'identity-token') {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.token, client_id: 'bulwark', scope: scopes.join(' ') });
      if (service !== undefined) form.set('service', service);
      response = await send(realm, { ...common, method: 'POST', headers: { ...common.headers, 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    } else {
      const url = new URL(realm);
      if (service !== undefined) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = { ...common.headers };
      if (credentials?.kind === 'basic') headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      response = await send(url, { ...common, headers });
    }
    const body = await readBody(response, MAX_TOKEN_BYTES, `token from ${realm.origin}`);
    if (response.status === 401 || response.status === 403) {
      throw new BulwarkError('E_INPUT', `${this.host}: the token service ${realm.origin} refused ${credentials === null ? 'anonymous access' : 'the credentials'} (HTTP ${response.status})`);
    }
    if (response.status !== 200) throw new BulwarkError('E_IO', `${this.host}: token service ${realm.origin} answered HTTP ${response.status}`);
    let token: unknown;
    try {
      const reply = JSON.parse(body.toString('utf8')) as { token?: unknown; access_token?: unknown };
      token = reply.token ?? reply.access_token;
    } catch {
      throw new BulwarkError('E_INPUT', `${this.host}: token service ${realm.origin} did not answer JSON`);
    }
    if (typeof token !== 'string' || token === '' || /[\r\n]/.test(token)) {
      throw new BulwarkError('E_INPUT', `${this.host}: token service ${realm.origin} returned no usable token`);
    }
    return `Bearer ${token}`;
  }
}

/** The next page of a paginated list: `Link: </v2/…?last=x&n=100>; rel="next"`, same origin only. */
export function nextPage(link: string | undefined, base: string): string | undefined {
  if (link === undefined) return undefined;
  const match = /<([^>]{1,2048})>\s*;\s*rel="?next"?/i.exec(link);
  if (match === null) return undefined;
  let url: URL;
  try {
    url = new URL(match[1]!, base);
  } catch {
    return undefined;
  }
  return url.origin === new URL(base).origin ? url.pathname + url.search : undefined;
}
