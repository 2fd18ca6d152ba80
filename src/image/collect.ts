import { MergedFilesystem } from './layer/filesystem.ts';
import type { ContentSink, LayerEntry, WalkCallbacks } from './layer/walk.ts';
import { GoBuildInfoScanner, type GoScanResult } from './inventory/lang/go-buildinfo.ts';
import { readJavaArchive, type MavenPackage } from './inventory/lang/java.ts';
import { JAVA_ARCHIVE, MAX_JAVA_ARCHIVE_BYTES, MIN_EXECUTABLE_BYTES, targetOf, type TargetKind } from './inventory/targets.ts';
import { DEFAULT_SECRET_LIMITS, scanForSecrets, shouldScanForSecrets, type SecretMatch, type SecretScanLimits } from './secrets/scan.ts';

/** What the scan keeps of a file while walking the layers. */
export interface FileData {
  target?: TargetKind;
  /** The bytes of an inventory file (os-release, dpkg status, package.json, …). */
  content?: Buffer;
  go?: GoScanResult;
  maven?: MavenPackage[];
}

/** Something a user should know about the scan that is neither a finding nor a package. */
export interface ScanProblem {
  level: 'error' | 'warning' | 'note';
  code: string;
  message: string;
  /** Layer digest, when the problem is in one. */
  layer?: string;
  path?: string;
}

export interface LayerSecret extends SecretMatch {
  layerIndex: number;
  path: string;
}

export interface CollectOptions {
  secrets: boolean;
  secretLimits?: SecretScanLimits;
}

/** Collects bytes up to a bound; past it, keeps nothing and remembers that it overflowed. */
class BoundedBuffer {
  readonly chunks: Buffer[] = [];
  length = 0;
  overflow = false;
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  write(chunk: Buffer): void {
    if (this.overflow) return;
    if (this.length + chunk.length > this.#max) {
      this.overflow = true;
      this.chunks.length = 0;
      return;
    }
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
  bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
  }
}

/** Holds the first bytes of a text file for the secret scan; drops binaries at their first chunk. */
class SecretHead {
  readonly #chunks: Buffer[] = [];
  #length = 0;
  #binary = false;
  readonly #limits: SecretScanLimits;
  constructor(limits: SecretScanLimits) {
    this.#limits = limits;
  }
  write(chunk: Buffer): void {
    if (this.#binary || this.#length >= this.#limits.maxBytesPerFile) return;
    if (this.#length < this.#limits.binarySniffBytes && chunk.subarray(0, this.#limits.binarySniffBytes - this.#length).includes(0)) {
      this.#binary = true;
      this.#chunks.length = 0;
      return;
    }
    const room = this.#limits.maxBytesPerFile - this.#length;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#chunks.push(part);
    this.#length += part.length;
  }
  scan(): SecretMatch[] {
    if (this.#binary || this.#length === 0) return [];
    return scanForSecrets(this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#length), this.#limits);
  }
}

/**
 * The callbacks of one layer's walk: records every path in the merged filesystem (whiteouts applied),
 * keeps the bytes of inventory files, reads Go build info and Java archives as they stream, and scans
 * text files for secrets. Secrets are kept per layer: a file deleted by a later layer still leaked.
 */
export class Collector {
  readonly fs = new MergedFilesystem<FileData>();
  readonly problems: ScanProblem[] = [];
  readonly secrets: LayerSecret[] = [];
  readonly #options: CollectOptions;
  readonly #secretLimits: SecretScanLimits;
  filesSeen = 0;

  constructor(options: CollectOptions) {
    this.#options = options;
    this.#secretLimits = options.secretLimits ?? DEFAULT_SECRET_LIMITS;
  }

  callbacks(layerIndex: number, layerDigest: string): WalkCallbacks {
    return {
      onProblem: (problem) => {
        this.problems.push({ level: 'warning', code: problem.code, message: problem.message, layer: layerDigest, path: problem.path === '' || problem.code !== 'device-file' ? problem.path : `/${problem.path}` });
      },
      onEntry: (entry) => this.#onEntry(entry, layerIndex, layerDigest),
    };
  }

  #onEntry(entry: LayerEntry, layer: number, layerDigest: string): ContentSink | null {
    switch (entry.type) {
      case 'whiteout':
        this.fs.whiteout(entry.path, layer);
        return null;
      case 'opaque':
        this.fs.opaque(entry.path, layer);
        return null;
      case 'directory':
        this.fs.put(entry.path, { kind: 'directory', layer, mode: entry.mode, size: 0 });
        return null;
      case 'symlink':
        this.fs.put(entry.path, { kind: 'symlink', layer, mode: 0o777, size: 0, target: entry.target });
        return null;
      case 'special':
        this.fs.put(entry.path, { kind: 'special', layer, mode: 0, size: 0 });
        return null;
      case 'hardlink': {
        // A hard link shares the bytes of a file already seen (in this layer or below).
        const target = this.fs.get(entry.target.replace(/^\.?\/+/, ''));
        if (target !== undefined && target.kind === 'file') this.fs.put(entry.path, { ...target, layer });
        return null;
      }
      case 'file':
        return this.#onFile(entry, layer, layerDigest);
    }
  }

  #onFile(entry: Extract<LayerEntry, { type: 'file' }>, layer: number, layerDigest: string): ContentSink | null {
    this.filesSeen++;
    const data: FileData = {};
    this.fs.put(entry.path, { kind: 'file', layer, mode: entry.mode, size: entry.size, data });
    const sinks: ContentSink[] = [];
    const target = targetOf(entry.path);
    if (target !== null) {
      data.target = target.kind;
      if (target.maxBytes > 0) {
        if (entry.size > target.maxBytes) {
          this.problems.push({ level: 'warning', code: 'file-too-large', message: `${entry.size} bytes, more than the ${target.maxBytes} read for the inventory; not inventoried`, layer: layerDigest, path: `/${entry.path}` });
        } else {
          const buffer = new BoundedBuffer(target.maxBytes);
          sinks.push({ write: (chunk) => buffer.write(chunk), end: () => (buffer.overflow ? undefined : (data.content = buffer.bytes())) });
        }
      }
    } else if (JAVA_ARCHIVE.test(entry.path)) {
      if (entry.size > MAX_JAVA_ARCHIVE_BYTES) {
        this.problems.push({ level: 'warning', code: 'file-too-large', message: `Java archive of ${entry.size} bytes, more than ${MAX_JAVA_ARCHIVE_BYTES}; not inventoried`, layer: layerDigest, path: `/${entry.path}` });
      } else {
        const buffer = new BoundedBuffer(MAX_JAVA_ARCHIVE_BYTES);
        sinks.push({
          write: (chunk) => buffer.write(chunk),
          end: () => {
            if (buffer.overflow) return;
            try {
              data.maven = readJavaArchive(buffer.bytes(), `/${entry.path}`, (message) =>
                this.problems.push({ level: 'note', code: 'java-archive', message, layer: layerDigest, path: `/${entry.path}` }),
              );
            } catch (error) {
              this.problems.push({ level: 'note', code: 'java-archive', message: (error as Error).message, layer: layerDigest, path: `/${entry.path}` });
            }
          },
        });
      }
    } else if ((entry.mode & 0o111) !== 0 && entry.size >= MIN_EXECUTABLE_BYTES) {
      const scanner = new GoBuildInfoScanner();
      sinks.push({
        write: (chunk) => scanner.write(chunk),
        end: () => {
          const result = scanner.result();
          if (result.kind !== 'not-go') data.go = result;
        },
      });
    }
    if (this.#options.secrets && entry.size > 0 && shouldScanForSecrets(entry.path)) {
      const head = new SecretHead(this.#secretLimits);
      sinks.push({
        write: (chunk) => head.write(chunk),
        end: () => {
          for (const match of head.scan()) this.secrets.push({ ...match, layerIndex: layer, path: `/${entry.path}` });
        },
      });
    }
    if (sinks.length === 0) return null;
    if (sinks.length === 1) return sinks[0]!;
    return {
      write: (chunk) => {
        for (const sink of sinks) sink.write(chunk);
      },
      end: () => {
        for (const sink of sinks) sink.end();
      },
    };
  }
}
