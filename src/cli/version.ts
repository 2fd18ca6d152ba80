import { readFileSync } from 'node:fs';

// Two levels below the package root both in src/cli and in dist/cli.
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export const toolVersion: string = manifest.version;
