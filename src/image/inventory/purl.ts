/**
 * Package URLs (https://github.com/package-url/purl-spec): `pkg:type/namespace/name@version?qualifiers`.
 * Every character outside A-Z a-z 0-9 `.-_~` and `:` is percent-encoded in each component, as the
 * specification's character-encoding rules ask (so `+` in a Debian version is `%2B` and an npm scope's
 * `@` is `%40`); qualifiers are sorted by key and empty ones dropped.
 */
export function purlEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._~:-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export interface PurlParts {
  type: string;
  /** Segments are encoded one by one; `/` separates them. */
  namespace?: string;
  name: string;
  version?: string;
  qualifiers?: Record<string, string | undefined>;
}

export function formatPurl(parts: PurlParts): string {
  let out = `pkg:${parts.type.toLowerCase()}/`;
  if (parts.namespace !== undefined && parts.namespace !== '') {
    out += `${parts.namespace.split('/').filter((s) => s !== '').map(purlEncode).join('/')}/`;
  }
  out += purlEncode(parts.name);
  if (parts.version !== undefined && parts.version !== '') out += `@${purlEncode(parts.version)}`;
  const qualifiers = Object.entries(parts.qualifiers ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (qualifiers.length > 0) out += `?${qualifiers.map(([k, v]) => `${k.toLowerCase()}=${purlEncode(v)}`).join('&')}`;
  return out;
}

/** `debian-12`, `alpine-3.19.1`; the bare id when the release names no version (Debian sid). */
export function distroQualifier(distro: { id: string; versionId: string } | undefined): string | undefined {
  if (distro === undefined) return undefined;
  return distro.versionId === '' ? distro.id : `${distro.id}-${distro.versionId}`;
}
