import type { Readable } from 'node:stream';
import { BulwarkError } from '../../core/index.ts';
import { DigestVerifier, verifyBytes, digestOf } from '../oci/digest.ts';
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, type Descriptor } from '../oci/manifest.ts';
import { isValidDigest } from '../reference.ts';
import { parseChallenges, type Challenge } from './challenge.ts';
import type { Credentials } from './docker-config.ts';
import { discard, readBody, send, type HttpResponse } from './http.ts';

export interface RegistryClientOptions {
  /** The Distribution API host, with port: `ghcr.io`, `127.0.0.1:5000`. */
  host: string;
  /** Hosts (host or host:port) that may be spoken to over plain HTTP; nothing else ever is. */
  insecureHosts?: ReadonlySet<string>;
  /** PEM CA certificates to trust besides the system's. */
  ca?: string;
  /** Looked up only when the registry asks for authentication. */
  credentials?: () => Promise<Credentials | null>;
}

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string | undefined;
  digest: string;
}

const MAX_REDIRECTS = 5;
const MAX_TOKEN_BYTES = 1024 * 1024;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

function hostnameOf(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}

/**
 * A client of one registry's Distribution API (https://distribution.github.io/distribution/spec/api/):
 * manifests and blobs, anonymous, basic or bearer-token authentication, digests verified.
 */
export class RegistryClient {
  readonly host: string;
  readonly #options: RegistryClientOptions;
  readonly #base: string;
  /** Authorization header per repository scope, once a challenge has been answered. */
  readonly #authorization = new Map<string, string>();
  #credentials: Promise<Credentials | null> | undefined;

  constructor(options: RegistryClientOptions) {
    this.host = options.host;
    this.#options = options;
    this.#base = `${this.#isInsecure(options.host) ? 'http' : 'https'}://${options.host}`;
  }

  #isInsecure(host: string): boolean {
    return this.#options.insecureHosts?.has(host) === true || this.#options.insecureHosts?.has(hostnameOf(host)) === true;
  }

  #lookupCredentials(): Promise<Credentials | null> {
    this.#credentials ??= this.#options.credentials?.() ?? Promise.resolve(null);
    return this.#credentials;
  }

  async getManifest(repository: string, reference: string, accept: string = MANIFEST_ACCEPT): Promise<FetchedManifest> {
    const what = `${this.host}/${repository}:${reference}`;
    const response = await this.#request(repository, `/v2/${repository}/manifests/${reference}`, { accept });
    if (response.status === 404) {
      await discard(response);
      throw new BulwarkError('E_INPUT', `${what}: manifest not found (check the repository name and tag)`);
    }
    await this.#expectOk(response, what);
    const bytes = await readBody(response, MAX_MANIFEST_BYTES, `${what} manifest`);
    const contentType = response.headers['content-type']?.split(';')[0]?.trim();
    if (isValidDigest(reference)) {
      verifyBytes(bytes, reference, `${what} manifest`);
      return { bytes, mediaType: contentType, digest: reference };
    }
    const digest = digestOf(bytes);
    const header = response.headers['docker-content-digest'];
    if (typeof header === 'string' && header.startsWith('sha256:') && header !== digest) {
      throw new BulwarkError('E_INPUT', `${what} manifest: the registry says ${header} but the content hashes to ${digest}`);
    }
    return { bytes, mediaType: contentType, digest };
  }

  /** The blob's bytes as they arrive, failing the stream on a digest or size mismatch. */
  async openBlob(repository: string, descriptor: Descriptor): Promise<Readable> {
    const what = `${this.host}/${repository}@${descriptor.digest}`;
    const response = await this.#request(repository, `/v2/${repository}/blobs/${descriptor.digest}`, {});
    if (response.status === 404) {
      await discard(response);
      throw new BulwarkError('E_INPUT', `${what}: blob not found`);
    }
    await this.#expectOk(response, what);
    return response.body.pipe(new DigestVerifier(descriptor.digest, `blob ${descriptor.digest}`, descriptor.size)).on('error', () => response.body.destroy());
  }

  async readBlob(repository: string, descriptor: Descriptor, max: number): Promise<Buffer> {
    if (descriptor.size > max) throw new BulwarkError('E_TOO_LARGE', `blob ${descriptor.digest}: ${descriptor.size} bytes exceed the ${max}-byte limit`);
    const what = `${this.host}/${repository}@${descriptor.digest}`;
    const response = await this.#request(repository, `/v2/${repository}/blobs/${descriptor.digest}`, {});
    await this.#expectOk(response, what);
    const bytes = await readBody(response, max, what);
    verifyBytes(bytes, descriptor.digest, `blob ${descriptor.digest}`, descriptor.size);
    return bytes;
  }

  async #expectOk(response: HttpResponse, what: string): Promise<void> {
    if (response.status >= 200 && response.status < 300) return;
    const body = (await readBody(response, 64 * 1024, what).catch(() => Buffer.alloc(0))).toString('utf8');
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

  /** A GET with authentication (answering one challenge) and redirects followed safely. */
  async #request(repository: string, path: string, headers: Record<string, string>): Promise<HttpResponse> {
    const scope = `repository:${repository}:pull`;
    let response = await this.#follow(new URL(path, this.#base), headers, this.#authorization.get(scope));
    if (response.status !== 401) return response;
    const challengeHeader = response.headers['www-authenticate'];
    await discard(response);
    const challenges = parseChallenges(Array.isArray(challengeHeader) ? challengeHeader.join(', ') : (challengeHeader ?? ''));
    const authorization = await this.#answer(challenges, scope);
    if (authorization === null) {
      throw new BulwarkError(
        'E_INPUT',
        `${this.host}/${repository}: the registry requires authentication and no credentials were found; log in with docker login or pass --username and --password-stdin`,
      );
    }
    this.#authorization.set(scope, authorization);
    response = await this.#follow(new URL(path, this.#base), headers, authorization);
    return response;
  }

  async #follow(url: URL, headers: Record<string, string>, authorization: string | undefined): Promise<HttpResponse> {
    const origin = url.origin;
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const sameOrigin = current.origin === origin;
      const response = await send(current, {
        headers: { ...headers, ...(authorization !== undefined && sameOrigin ? { authorization } : {}) },
        ...(this.#options.ca === undefined ? {} : { ca: this.#options.ca }),
      });
      const location = response.headers.location;
      if (response.status < 300 || response.status >= 400 || response.status === 304 || location === undefined) return response;
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
    // or the registry's own host name on a loopback address, was explicitly named as insecure.
    const realmAllowedPlain =
      this.#isInsecure(realm.host) || (this.#isInsecure(this.host) && hostnameOf(realm.host) === hostnameOf(this.host) && LOOPBACK.test(realm.host));
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && realmAllowedPlain)) {
      throw new BulwarkError('E_INPUT', `${this.host}: token realm ${realm.origin} is not HTTPS; refusing to send credentials (name it with --insecure-registry to allow)`);
    }
    const service = challenge.params.service;
    const scopes = [scope, ...(challenge.params.scope !== undefined && challenge.params.scope !== scope ? [challenge.params.scope] : [])];
    const ca = this.#options.ca === undefined ? {} : { ca: this.#options.ca };
    let response: HttpResponse;
    if (credentials?.kind === 'identity-token') {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.token, client_id: 'bulwark', scope: scopes.join(' ') });
      if (service !== undefined) form.set('service', service);
      response = await send(realm, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), ...ca });
    } else {
      const url = new URL(realm);
      if (service !== undefined) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (credentials?.kind === 'basic') headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      response = await send(url, { headers, ...ca });
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
