import { parseControlParagraphs } from './control.ts';

export interface DpkgPackage {
  name: string;
  version: string;
  architecture: string;
  sourceName: string;
  /** Present when the source version differs from the binary's (binNMUs, `Source: x (1.2-3)`). */
  sourceVersion?: string;
  status: string;
}

/** dpkg states in which a package's files are on disk (everything but not-installed and config-files). */
const PRESENT = new Set(['installed', 'half-installed', 'unpacked', 'half-configured', 'triggers-awaited', 'triggers-pending']);

/**
 * The packages of a dpkg status file (`var/lib/dpkg/status`) or of one file of `status.d/` (distroless
 * images write one paragraph per package there, often without a Status field: those are installed).
 */
export function parseDpkgStatus(text: string, where: string): DpkgPackage[] {
  const out: DpkgPackage[] = [];
  for (const paragraph of parseControlParagraphs(text, where)) {
    const name = paragraph.get('package');
    const version = paragraph.get('version');
    if (name === undefined || name === '' || version === undefined || version === '') continue;
    const status = paragraph.get('status') ?? 'install ok installed';
    const state = status.split(/\s+/)[2] ?? '';
    if (!PRESENT.has(state)) continue;
    const entry: DpkgPackage = { name, version, architecture: paragraph.get('architecture') ?? '', sourceName: name, status };
    const source = paragraph.get('source');
    if (source !== undefined && source !== '') {
      const match = /^(\S+)(?:\s+\(([^)]+)\))?/.exec(source);
      if (match !== null) {
        entry.sourceName = match[1]!;
        if (match[2] !== undefined && match[2] !== version) entry.sourceVersion = match[2];
      }
    }
    out.push(entry);
  }
  return out;
}

/**
 * License short names of a machine-readable debian/copyright file (DEP-5): the first line of every
 * `License:` field, split on `or`/`and`/`,` as the format allows. Free-form copyright files declare
 * nothing machine-readable and give no licences.
 */
export function parseDebianCopyrightLicenses(text: string): string[] {
  if (!/^Format:\s*\S*copyright-format/im.test(text.slice(0, 4096))) return [];
  const out = new Set<string>();
  for (const match of text.matchAll(/^License:[ \t]*([^\n]*)$/gim)) {
    for (const part of match[1]!.split(/\s+(?:or|and)\s+|,\s*|\s*\|\s*/i)) {
      const name = part.trim().replace(/\s+with\s+.*$/i, '');
      if (name !== '' && name.length < 100) out.add(name);
    }
  }
  return [...out].sort();
}
