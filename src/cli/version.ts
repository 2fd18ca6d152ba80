import { existsSync, readFileSync } from 'node:fs';

/**
 * The package's own manifest: the nearest package.json above this module that names `bulwark`
 * (two levels up from src/cli, one from the bundled dist/).
 */
function manifestUrl(): URL {
  for (const up of ['../package.json', '../../package.json']) {
    const candidate = new URL(up, import.meta.url);
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'bulwark') return candidate;
  }
  return new URL('../../package.json', import.meta.url);
}

export const toolVersion: string = (JSON.parse(readFileSync(manifestUrl(), 'utf8')) as { version: string }).version;
