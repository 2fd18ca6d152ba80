// Entries of the registry lists in `.bulwark.yaml` (`checks.images`): a registry host, optionally with a
// port (`registry.example.com:5000`), a wildcard for its subdomains (`*.corp.example`), or a repository
// prefix inside a registry (`docker.io/bitnami`, `gcr.io/my-project`). They are matched against the
// normalised reference, so `nginx` counts as `docker.io/library/nginx`.
import { DOCKER_HUB, type ImageReference } from './image-reference.ts';

export interface RegistryPattern {
  /** As written in the configuration, for messages. */
  readonly text: string;
  /** Lowercase host; without the `*.` of a wildcard. */
  readonly host: string;
  readonly wildcard: boolean;
  /** `:5000`, or '' for none. */
  readonly port: string;
  /** Repository prefix (`bitnami`), or '' for the whole registry. */
  readonly path: string;
}

export type RegistryPatternResult = { ok: true; pattern: RegistryPattern } | { ok: false; message: string };

const HOST_COMPONENT = /^(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;
const IPV6 = /^\[[a-f0-9:]+\]$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const MAX_PATTERN_LENGTH = 300;

export function parseRegistryPattern(text: string): RegistryPatternResult {
  const fail = (why: string): RegistryPatternResult => ({ ok: false, message: `registry ${JSON.stringify(text)} ${why}` });
  if (text.length === 0 || text.length > MAX_PATTERN_LENGTH) return fail(`must be 1 to ${MAX_PATTERN_LENGTH} characters`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return fail('is a URL; write the registry host without a scheme, e.g. registry.example.com');
  const trimmed = text.endsWith('/') ? text.slice(0, -1) : text;
  const slash = trimmed.indexOf('/');
  const hostPort = (slash === -1 ? trimmed : trimmed.slice(0, slash)).toLowerCase();
  const path = slash === -1 ? '' : trimmed.slice(slash + 1);
  const colon = hostPort.lastIndexOf(':');
  const hasPort = colon !== -1 && colon > hostPort.lastIndexOf(']');
  let host = hasPort ? hostPort.slice(0, colon) : hostPort;
  const port = hasPort ? hostPort.slice(colon) : '';
  if (hasPort && !/^:[0-9]{1,5}$/.test(port)) return fail('has a port that is not a number');
  const wildcard = host.startsWith('*.');
  if (wildcard) host = host.slice(2);
  if (host === 'index.docker.io') host = DOCKER_HUB;
  if (!IPV6.test(host)) {
    const components = host.split('.');
    if (!components.every((component) => HOST_COMPONENT.test(component))) return fail('does not start with a valid host name');
    if (!wildcard && components.length === 1 && host !== 'localhost' && !hasPort) {
      return fail(`is not a registry host (no "." or port); for a Docker Hub namespace write "docker.io/${host}"`);
    }
  } else if (wildcard) {
    return fail('puts a wildcard before an IP address');
  }
  if (path !== '' && !path.split('/').every((component) => PATH_COMPONENT.test(component))) {
    return fail('has a repository prefix that is not a lowercase repository path');
  }
  return { ok: true, pattern: { text, host, wildcard, port, path } };
}

/** Whether the image comes from the registry (and repository prefix) the pattern names. */
export function matchesRegistry(pattern: RegistryPattern, reference: ImageReference): boolean {
  const domain = reference.domain.toLowerCase();
  const colon = domain.lastIndexOf(':');
  const hasPort = colon !== -1 && colon > domain.lastIndexOf(']');
  const host = hasPort ? domain.slice(0, colon) : domain;
  const port = hasPort ? domain.slice(colon) : '';
  if (port !== pattern.port) return false;
  if (pattern.wildcard ? !host.endsWith(`.${pattern.host}`) : host !== pattern.host) return false;
  if (pattern.path === '') return true;
  return reference.path === pattern.path || reference.path.startsWith(`${pattern.path}/`);
}

// Patterns come from the configuration, the same few for every container: parse each text once.
const parsed = new Map<string, RegistryPattern | null>();

/** The patterns among `texts` that parse (the configuration has already refused the others). */
export function registryPatterns(texts: readonly string[]): RegistryPattern[] {
  const out: RegistryPattern[] = [];
  for (const text of texts) {
    let pattern = parsed.get(text);
    if (pattern === undefined) {
      const result = parseRegistryPattern(text);
      pattern = result.ok ? result.pattern : null;
      if (parsed.size > 1000) parsed.clear();
      parsed.set(text, pattern);
    }
    if (pattern !== null) out.push(pattern);
  }
  return out;
}
