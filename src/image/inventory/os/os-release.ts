/** The fields of os-release(5) the inventory uses. */
export interface OsRelease {
  id: string;
  versionId: string;
  versionCodename: string;
  prettyName: string;
  idLike: string[];
}

const MAX_LINES = 10_000;

/** Shell-style value: double or single quotes, backslash escapes inside double quotes. */
function unquote(raw: string): string {
  const value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\([\\"$`])/g, '$1');
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value;
}

/** Parses `/etc/os-release`; unknown or malformed lines are skipped, as systemd does. Never throws. */
export function parseOsRelease(text: string): OsRelease {
  const fields = new Map<string, string>();
  let lines = 0;
  for (const line of text.split('\n')) {
    if (++lines > MAX_LINES) break;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) continue;
    const key = trimmed.slice(0, eq);
    if (!/^[A-Z0-9_]+$/.test(key)) continue;
    fields.set(key, unquote(trimmed.slice(eq + 1)));
  }
  return {
    id: (fields.get('ID') ?? 'linux').toLowerCase(),
    versionId: fields.get('VERSION_ID') ?? '',
    versionCodename: fields.get('VERSION_CODENAME') ?? '',
    prettyName: fields.get('PRETTY_NAME') ?? '',
    idLike: (fields.get('ID_LIKE') ?? '').split(/\s+/).filter((s) => s !== ''),
  };
}
