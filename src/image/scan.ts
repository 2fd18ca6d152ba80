import { BulwarkError, type Finding } from '../core/index.ts';
import { imageConfigChecks, secretInLayerControl } from './checks/config.ts';
import { Collector, type ScanProblem } from './collect.ts';
import { buildInventory } from './inventory/build.ts';
import type { InventoryPackage } from './inventory/package.ts';
import { DEFAULT_WALK_LIMITS, walkDirectory, walkLayer, type WalkLimits } from './layer/walk.ts';
import { formatPlatform, hostPlatform, type Platform } from './oci/manifest.ts';
import type { ImageLocation } from './reference.ts';
import { resolveDockerArchive } from './source/docker-archive.ts';
import { resolveOciLayout } from './source/oci-layout.ts';
import { resolveRegistryImage, type RegistryAccess } from './source/registry.ts';
import type { ResolvedImage } from './source/types.ts';
import { parseImageConfig } from './oci/manifest.ts';

export interface ImageScanOptions {
  location: ImageLocation;
  platform?: Platform;
  access?: RegistryAccess;
  /** Scan layer files for secrets (default true). */
  secrets?: boolean;
  limits?: Partial<WalkLimits>;
  /** Called after each layer: done, total. */
  onProgress?: (done: number, total: number) => void;
}

/** What `bulwark image scan` learns about one image. */
export interface ImageScanResult {
  image: {
    name: string;
    manifestDigest?: string;
    indexDigest?: string;
    configDigest: string;
    platform: string;
    os: { id: string; versionId: string; prettyName: string } | null;
    layers: { digest: string; diffId?: string; size: number }[];
  };
  packages: InventoryPackage[];
  /** Config checks and secrets, in the DESIGN.md §3 finding shape, deterministic order. */
  findings: Finding[];
  problems: ScanProblem[];
  stats: { files: number; uncompressedBytes: number };
}

async function resolveImage(options: ImageScanOptions, platform: Platform): Promise<ResolvedImage> {
  const { location } = options;
  switch (location.kind) {
    case 'registry':
      return resolveRegistryImage(location.reference, { platform, ...options.access });
    case 'oci':
      return resolveOciLayout(location.path, location.tag, { platform });
    case 'docker-archive':
      return resolveDockerArchive(location.path, location.tag);
    case 'dir': {
      // A root filesystem has no config; the checks see an empty one (they report what an image without USER etc. would be).
      const config = parseImageConfig(Buffer.from(JSON.stringify({ architecture: platform.architecture, os: platform.os, rootfs: { type: 'layers', diff_ids: [] } })), 'dir');
      return { name: `dir:${location.path}`, platform, config, configDigest: '', layers: [], rootDirectory: location.path };
    }
  }
}

/** Layers read at once: enough to overlap one layer's decompression with another's parsing. */
const LAYER_CONCURRENCY = 3;

const IMAGE_OBJECT = (name: string) => ({ apiVersion: '', kind: 'Image', namespace: null, name });

export async function scanImage(options: ImageScanOptions): Promise<ImageScanResult> {
  const platform = options.platform ?? hostPlatform();
  const limits: WalkLimits = { ...DEFAULT_WALK_LIMITS, ...options.limits };
  const image = await resolveImage(options, platform);
  const collector = new Collector({ secrets: options.secrets !== false });
  let uncompressedBytes = 0;
  const total = image.rootDirectory === undefined ? image.layers.length : 1;
  if (image.rootDirectory !== undefined) {
    const walked = await walkDirectory(image.rootDirectory, collector.callbacks(0, ''), limits);
    collector.commit(0);
    uncompressedBytes = walked.bytes;
    options.onProgress?.(1, 1);
  } else {
    // Layers are fetched, decompressed and read concurrently (decompression runs off the main thread),
    // and applied to the filesystem in order, each as soon as those below it are: a small base layer
    // is merged while a large application layer still inflates, not after it.
    let done = 0;
    const walked = new Array<boolean>(image.layers.length).fill(false);
    let committed = 0;
    const commitReady = (): void => {
      while (committed < image.layers.length && walked[committed]) collector.commit(committed++);
    };
    const walkOne = async (i: number): Promise<void> => {
      const layer = image.layers[i]!;
      const what = `layer ${i + 1}/${image.layers.length} (${layer.digest})`;
      const result = await walkLayer(await layer.open(), what, collector.callbacks(i, layer.digest), limits);
      if (layer.diffId !== undefined && result.diffId !== layer.diffId) {
        throw new BulwarkError('E_INPUT', `${image.name}: ${what} uncompresses to ${result.diffId} but the config's rootfs.diff_ids[${i}] is ${layer.diffId}; the image is inconsistent or tampered with`);
      }
      uncompressedBytes += result.uncompressedBytes;
      walked[i] = true;
      commitReady();
      options.onProgress?.(++done, total);
    };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < image.layers.length) await walkOne(next++);
    };
    await Promise.all(Array.from({ length: Math.min(LAYER_CONCURRENCY, image.layers.length) }, worker));
  }
  const layerDigest = (index: number): string => image.layers[index]?.digest ?? '';
  const inventory = buildInventory(collector.fs, layerDigest, collector.problems);

  const findings: Finding[] = [];
  const object = IMAGE_OBJECT(image.name);
  const configFile = image.configDigest === '' ? image.name : image.configDigest;
  if (image.rootDirectory === undefined) {
    for (const check of imageConfigChecks) {
      for (const violation of check.evaluate(image.config)) {
        findings.push({
          control: check.id,
          title: check.title,
          severity: check.severity,
          area: check.area,
          frameworks: check.frameworks,
          object,
          location: { file: configFile, line: 0, column: 0, path: violation.path },
          message: violation.message,
          remediation: check.remediation,
        });
      }
    }
  }
  const seen = new Set<string>();
  for (const secret of collector.secrets) {
    const digest = layerDigest(secret.layerIndex);
    const key = `${secret.layerIndex}\0${secret.path}\0${secret.rule}\0${secret.fingerprint}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const node = collector.fs.get(secret.path.slice(1));
    const removed = node === undefined || node.layer !== secret.layerIndex ? '; a later layer removed or replaced the file, but the layer still holds it' : '';
    const layerText = digest === '' ? '' : ` in layer ${secret.layerIndex + 1} (${digest})`;
    findings.push({
      control: secretInLayerControl.id,
      title: secretInLayerControl.title,
      severity: secretInLayerControl.severity,
      area: secretInLayerControl.area,
      frameworks: secretInLayerControl.frameworks,
      object,
      location: { file: secret.path, line: secret.line, column: secret.column, path: digest === '' ? '' : `layers[${secret.layerIndex}]` },
      message: `${secret.title} (${secret.rule})${layerText}, fingerprint ${secret.fingerprint}; the value is not shown${removed}`,
      remediation: secretInLayerControl.remediation,
    });
  }
  findings.sort((a, b) => compareFindings(a, b));

  let files = 0;
  for (const [, node] of collector.fs.nodes()) if (node.kind === 'file') files++;
  const result: ImageScanResult = {
    image: {
      name: image.name,
      configDigest: image.configDigest,
      platform: formatPlatform(image.platform),
      os: inventory.os === null ? null : { id: inventory.os.id, versionId: inventory.os.versionId, prettyName: inventory.os.prettyName },
      layers: image.layers.map((layer) => ({ digest: layer.digest, ...(layer.diffId === undefined ? {} : { diffId: layer.diffId }), size: layer.size })),
    },
    packages: inventory.packages,
    findings,
    problems: collector.problems,
    stats: { files, uncompressedBytes },
  };
  if (image.manifestDigest !== undefined) result.image.manifestDigest = image.manifestDigest;
  if (image.indexDigest !== undefined) result.image.indexDigest = image.indexDigest;
  return result;
}

const cmp = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);

/** Config findings first (file is the config digest), then by file, line, column, control. */
function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.location.line === 0 ? 0 : 1, b.location.line === 0 ? 0 : 1) ||
    cmp(a.location.file, b.location.file) ||
    cmp(a.location.path, b.location.path) ||
    cmp(a.location.line, b.location.line) ||
    cmp(a.location.column, b.location.column) ||
    cmp(a.control, b.control) ||
    cmp(a.message, b.message)
  );
}
