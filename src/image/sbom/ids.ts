import { createHash } from 'node:crypto';

/** A UUID (version 4 layout) derived from `seed`: the same scan gives the same document identifiers. */
export function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Seed of a scan's identity: the image and what was found in it. */
export function scanSeed(imageName: string, manifestDigest: string | undefined, purls: readonly string[]): string {
  return `${imageName}\n${manifestDigest ?? ''}\n${purls.join('\n')}`;
}
