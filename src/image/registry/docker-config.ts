import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BulwarkError } from '../../core/index.ts';

/** What a registry is logged in with. Never printed. */
export type Credentials =
  | { kind: 'basic'; username: string; password: string }
  /** An OAuth2 refresh token (`identitytoken`), exchanged at the token realm. */
  | { kind: 'identity-token'; username: string; token: string };

/** The parts of `~/.docker/config.json` that say how to log in. */
export interface DockerConfig {
  auths: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers: Record<string, string>;
}

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const HELPER_TIMEOUT_MS = 20_000;
const MAX_HELPER_OUTPUT = 64 * 1024;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function parseDockerConfig(text: string, where: string): DockerConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BulwarkError('E_CONFIG', `${where}: not JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw new BulwarkError('E_CONFIG', `${where}: not a JSON object`);
  const config: DockerConfig = { auths: {}, credHelpers: {} };
  if (isRecord(value.auths)) {
    for (const [host, entry] of Object.entries(value.auths)) {
      if (!isRecord(entry)) continue;
      const out: DockerConfig['auths'][string] = {};
      for (const key of ['auth', 'username', 'password', 'identitytoken'] as const) {
        if (typeof entry[key] === 'string' && entry[key] !== '') out[key] = entry[key];
      }
      config.auths[host] = out;
    }
  }
  if (typeof value.credsStore === 'string' && value.credsStore !== '') config.credsStore = value.credsStore;
  if (isRecord(value.credHelpers)) {
    for (const [host, helper] of Object.entries(value.credHelpers)) if (typeof helper === 'string' && helper !== '') config.credHelpers[host] = helper;
  }
  return config;
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; null when absent. */
export function loadDockerConfig(env: NodeJS.ProcessEnv = process.env): DockerConfig | null {
  const path = join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'), 'config.json');
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_CONFIG_BYTES) throw new BulwarkError('E_TOO_LARGE', `${path}: larger than ${MAX_CONFIG_BYTES} bytes`);
    text = bytes.toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (error instanceof BulwarkError) throw error;
    throw new BulwarkError('E_IO', `${path}: ${(error as Error).message}`);
  }
  return parseDockerConfig(text, path);
}

/** `https://index.docker.io/v1/` → `index.docker.io`; keys of `auths` are written in several styles. */
export function normaliseRegistryKey(key: string): string {
  let host = key.replace(/^[a-z]+:\/\//i, '');
  const slash = host.indexOf('/');
  if (slash >= 0) host = host.slice(0, slash);
  host = host.toLowerCase();
  if (host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'registry.hub.docker.com') return 'docker.io';
  return host;
}

function decodeAuth(entry: DockerConfig['auths'][string], where: string): Credentials | null {
  if (entry.identitytoken !== undefined) {
    return { kind: 'identity-token', username: entry.username ?? '<token>', token: entry.identitytoken };
  }
  if (entry.auth !== undefined) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new BulwarkError('E_CONFIG', `${where}: "auth" does not decode to username:password`);
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username !== undefined && entry.password !== undefined) return { kind: 'basic', username: entry.username, password: entry.password };
  return null;
}

/** Runs `docker-credential-<helper> get`: the host on stdin, JSON on stdout. Argument array, no shell. */
export function runCredentialHelper(helper: string, host: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | null> {
  if (!HELPER_NAME.test(helper)) {
    return Promise.reject(new BulwarkError('E_CONFIG', `credential helper name ${JSON.stringify(helper)} is not a plain name`));
  }
  const executable = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(executable, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], env, shell: false, timeout: HELPER_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    let overflow = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.length > MAX_HELPER_OUTPUT) {
        overflow = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        new BulwarkError(
          error.code === 'ENOENT' ? 'E_TOOL_MISSING' : 'E_TOOL_FAILED',
          error.code === 'ENOENT'
            ? `credential helper ${executable} (named in the Docker config for ${host}) is not on PATH`
            : `credential helper ${executable}: ${error.message}`,
        ),
      );
    });
    child.on('close', (code, signal) => {
      if (overflow) return reject(new BulwarkError('E_TOOL_FAILED', `credential helper ${executable}: more than ${MAX_HELPER_OUTPUT} bytes of output`));
      if (signal !== null) return reject(new BulwarkError('E_TOOL_FAILED', `credential helper ${executable} was stopped (${signal}) after ${HELPER_TIMEOUT_MS / 1000} s`));
      // The protocol's way of saying "no credentials for this host".
      if (code !== 0) {
        if (/credentials not found/i.test(stdout + stderr)) return resolve(null);
        return reject(new BulwarkError('E_TOOL_FAILED', `credential helper ${executable} exited with ${code}: ${stderr.trim().slice(0, 300)}`));
      }
      let reply: unknown;
      try {
        reply = JSON.parse(stdout);
      } catch {
        return reject(new BulwarkError('E_TOOL_FAILED', `credential helper ${executable} did not print JSON`));
      }
      if (!isRecord(reply) || typeof reply.Secret !== 'string' || reply.Secret === '') return resolve(null);
      const username = typeof reply.Username === 'string' ? reply.Username : '';
      // Helpers return identity tokens with this conventional username.
      if (username === '<token>') return resolve({ kind: 'identity-token', username, token: reply.Secret });
      resolve({ kind: 'basic', username, password: reply.Secret });
    });
    child.stdin.on('error', () => {
      // The helper may exit before reading; its exit status tells what happened.
    });
    child.stdin.end(host);
  });
}

/**
 * Credentials for `host` from the Docker config: a per-host helper first, then a stored `auths` entry,
 * then the default store (`credsStore`), as the Docker CLI looks them up.
 */
export async function credentialsFor(host: string, config: DockerConfig | null, where = 'Docker config', env: NodeJS.ProcessEnv = process.env): Promise<Credentials | null> {
  if (config === null) return null;
  const wanted = normaliseRegistryKey(host);
  for (const [key, helper] of Object.entries(config.credHelpers)) {
    if (normaliseRegistryKey(key) === wanted) return runCredentialHelper(helper, key, env);
  }
  for (const [key, entry] of Object.entries(config.auths)) {
    if (normaliseRegistryKey(key) !== wanted) continue;
    const credentials = decodeAuth(entry, `${where}: auths["${key}"]`);
    if (credentials !== null) return credentials;
  }
  if (config.credsStore !== undefined) {
    // Docker Hub is stored under its historical URL.
    const key = wanted === 'docker.io' ? 'https://index.docker.io/v1/' : host;
    return runCredentialHelper(config.credsStore, key, env);
  }
  return null;
}
