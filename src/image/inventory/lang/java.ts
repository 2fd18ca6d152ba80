import { BulwarkError } from '../../../core/index.ts';
import { ZipArchive } from '../../archive/zip.ts';

export interface MavenPackage {
  groupId: string;
  artifactId: string;
  version: string;
  /** Path inside the archive, nested archives joined with `!/`: `app.jar!/BOOT-INF/lib/x.jar!/META-INF/maven/…`. */
  entry: string;
}

/** Java properties: `key=value` or `key: value` lines, `#` and `!` comments (no continuations needed here). */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (match !== null) out.set(match[1]!, match[2]!.trim());
  }
  return out;
}

const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const NESTED_ARCHIVE = /\.(?:jar|war|ear)$/i;
const MAX_PROPERTIES_BYTES = 64 * 1024;
const MAX_NESTED_BYTES = 64 * 1024 * 1024;
const MAX_DEPTH = 2;

/**
 * The Maven artifacts a Java archive declares (`META-INF/maven/GROUP/ARTIFACT/pom.properties`), in
 * nested archives too (Spring Boot's BOOT-INF/lib, WEB-INF/lib) down to two levels. A nested archive
 * that cannot be read is reported through `onProblem` and skipped.
 */
export function readJavaArchive(zip: Buffer, where: string, onProblem: (message: string) => void, depth = 0, prefix = ''): MavenPackage[] {
  const out: MavenPackage[] = [];
  const archive = ZipArchive.open(zip, where);
  for (const entry of archive.entries) {
    if (POM_PROPERTIES.test(entry.name)) {
      try {
        const properties = parseProperties(archive.read(entry, MAX_PROPERTIES_BYTES).toString('utf8'));
        const groupId = properties.get('groupId');
        const artifactId = properties.get('artifactId');
        const version = properties.get('version');
        if (groupId && artifactId && version) out.push({ groupId, artifactId, version, entry: `${prefix}${entry.name}` });
      } catch (error) {
        onProblem((error as Error).message);
      }
    } else if (NESTED_ARCHIVE.test(entry.name) && depth < MAX_DEPTH) {
      try {
        const nested = archive.read(entry, MAX_NESTED_BYTES);
        out.push(...readJavaArchive(nested, `${where}!/${entry.name}`, onProblem, depth + 1, `${prefix}${entry.name}!/`));
      } catch (error) {
        if (error instanceof BulwarkError) onProblem(error.message);
        else throw error;
      }
    }
  }
  return out;
}
