// OSV ecosystem strings (`Debian:12`, `Alpine:v3.20`, `Red Hat:rhel_eus:9.2::baseos`, `npm`).

export interface EcosystemName {
  /** The defined ecosystem: `Debian`, `Alpine`, `npm`. */
  base: string;
  /** What follows the first `:`, `''` when the record covers every release. */
  release: string;
}

export function splitEcosystem(ecosystem: string): EcosystemName {
  const colon = ecosystem.indexOf(':');
  return colon === -1 ? { base: ecosystem, release: '' } : { base: ecosystem.slice(0, colon), release: ecosystem.slice(colon + 1) };
}

/**
 * The name under which a package is indexed: PyPI names compare after PEP 503 normalisation
 * (`Flask_Caching` is `flask-caching`); every other ecosystem's names compare as written.
 */
export function normalizePackageName(base: string, name: string): string {
  if (base === 'PyPI') return name.toLowerCase().replace(/[-_.]+/g, '-');
  return name;
}
