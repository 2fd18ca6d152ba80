// Rotating the key-encryption key: a new KEK file is created, every data key is rewrapped under it
// (entries are untouched), and ledger.json points at it. The old file is kept listed as a previous
// KEK until the operator destroys it, so a crash midway never strands a data key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE, readConfig } from './config.ts';
import { atomicWrite } from './fs-util.ts';
import { createKekFile } from './kek.ts';
import type { Ledger } from './ledger.ts';

export async function rotateKek(ledger: Ledger, dir: string, now = new Date()): Promise<{ kekFile: string; rewrapped: number }> {
  const config = readConfig(dir);
  const kekFile = `kek-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}.key`;
  const next = createKekFile(join(dir, kekFile));
  // ledger.json first lists the new KEK as the one to use and the old ones as previous, so every
  // data key can be opened whichever step a crash interrupts.
  const updated = { ...config, kekFile, previousKekFiles: [config.kekFile, ...config.previousKekFiles] };
  const current = JSON.parse(readFileSync(join(dir, CONFIG_FILE), 'utf8')) as object;
  atomicWrite(join(dir, CONFIG_FILE), `${JSON.stringify({ ...current, ...updated }, null, 2)}\n`);
  const rewrapped = await ledger.rewrapDataKeys(next);
  return { kekFile, rewrapped };
}
