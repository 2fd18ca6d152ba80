import { MergedFilesystem, type FsNode } from './layer/filesystem.ts';
import type { ContentSink, LayerEntry, WalkCallbacks } from './layer/walk.ts';
import { GoBuildInfoScanner, type GoScanResult } from './inventory/lang/go-buildinfo.ts';
import { readJavaArchive, type MavenPackage } from './inventory/lang/java.ts';
import { parseNpmPackageJson, type NpmPackage } from './inventory/lang/npm.ts';
import { parsePythonMetadata, type PythonPackage } from './inventory/lang/python.ts';
import { JAVA_ARCHIVE, MAX_JAVA_ARCHIVE_BYTES, MIN_EXECUTABLE_BYTES, targetOf, type TargetKind } from './inventory/targets.ts';
import { DEFAULT_SECRET_LIMITS, scanForSecrets, shouldScanForSecrets, type SecretMatch, type SecretScanLimits } from './secrets/scan.ts';

/** What the scan keeps of a file while walking the layers. */
export interface FileData {
  target?: TargetKind;
  /** The bytes of an inventory file (os-release, dpkg status, package.json, …). */
  content?: Buffer;
  /** A package.json or METADATA file, parsed when it was read (`preparse` says why); null: no package. */
  parsed?: { package: NpmPackage | PythonPackage | null } | { error: string };
  go?: GoScanResult;
  maven?: MavenPackage[];
}

/**
 * Inventory files there is one of per installed package (an application image holds thousands of
 * package.json files) are parsed as soon as their layer yields them, while the thread pool still
 * decompresses the rest: parsed after the last layer, they were ~100 ms of the scan's tail. What a
 * later layer removes is parsed for nothing, and the inventory reads only the survivors.
 */
function preparse(target: TargetKind, content: Buffer, where: string): FileData['parsed'] | undefined {
  try {
    if (target === 'npm-package') return { package: parseNpmPackageJson(content.toString('utf8'), where) };
    if (target === 'python-metadata') return { package: parsePythonMetadata(content.toString('utf8')) };
  } catch (error) {
    return { error: (error as Error).message };
  }
  return undefined;
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

type FsEvent =
  | { op: 'put'; path: string; node: FsNode<FileData> }
  | { op: 'whiteout'; path: string }
  | { op: 'opaque'; path: string }
  | { op: 'hardlink'; path: string; target: string };

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
  /** A copy: the chunks are views of larger buffers that must not stay alive with the file. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.length);
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

  /** Changes each layer makes to the filesystem, applied in layer order by `commit`. */
  readonly #pending = new Map<number, FsEvent[]>();

  /**
   * The callbacks of layer `layerIndex`'s walk. Layers may be walked concurrently (their downloads and
   * decompression overlap); what they do to the filesystem is recorded and applied by `commit`.
   */
  callbacks(layerIndex: number, layerDigest: string): WalkCallbacks {
    const events: FsEvent[] = [];
    this.#pending.set(layerIndex, events);
    return {
      onProblem: (problem) => {
        // Root filesystem tarballs (mmdebstrap, debootstrap) carry /dev/null and friends: expected there.
        const level = problem.code === 'device-file' && problem.path.startsWith('dev/') ? 'note' : 'warning';
        this.problems.push({ level, code: problem.code, message: problem.message, layer: layerDigest, path: problem.path === '' || problem.code !== 'device-file' ? problem.path : `/${problem.path}` });
      },
      onEntry: (entry) => this.#onEntry(entry, layerIndex, layerDigest, events),
    };
  }

  /** Applies layer `layerIndex` on top of the layers committed before it. Call in layer order. */
  commit(layerIndex: number): void {
    const events = this.#pending.get(layerIndex) ?? [];
    this.#pending.delete(layerIndex);
    for (const event of events) {
      if (event.op === 'whiteout') this.fs.whiteout(event.path, layerIndex);
      else if (event.op === 'opaque') this.fs.opaque(event.path, layerIndex);
      else if (event.op === 'put') this.fs.put(event.path, event.node);
      else {
        // A hard link shares the bytes of a file already there (in this layer or below).
        const target = this.fs.get(event.target.replace(/^\.?\/+/, ''));
        if (target !== undefined && target.kind === 'file') this.fs.put(event.path, { ...target, layer: layerIndex });
      }
    }
  }

  #onEntry(entry: LayerEntry, layer: number, layerDigest: string, events: FsEvent[]): ContentSink | null {
    switch (entry.type) {
      case 'whiteout':
        events.push({ op: 'whiteout', path: entry.path });
        return null;
      case 'opaque':
        events.push({ op: 'opaque', path: entry.path });
        return null;
      case 'directory':
        events.push({ op: 'put', path: entry.path, node: { kind: 'directory', layer, mode: entry.mode, size: 0 } });
        return null;
      case 'symlink':
        events.push({ op: 'put', path: entry.path, node: { kind: 'symlink', layer, mode: 0o777, size: 0, target: entry.target } });
        return null;
      case 'special':
        events.push({ op: 'put', path: entry.path, node: { kind: 'special', layer, mode: 0, size: 0 } });
        return null;
      case 'hardlink':
        events.push({ op: 'hardlink', path: entry.path, target: entry.target });
        return null;
      case 'file':
        return this.#onFile(entry, layer, layerDigest, events);
    }
  }

  #onFile(entry: Extract<LayerEntry, { type: 'file' }>, layer: number, layerDigest: string, events: FsEvent[]): ContentSink | null {
    this.filesSeen++;
    const data: FileData = {};
    events.push({ op: 'put', path: entry.path, node: { kind: 'file', layer, mode: entry.mode, size: entry.size, data } });
    const sinks: ContentSink[] = [];
    const target = targetOf(entry.path);
    if (target !== null) {
      data.target = target.kind;
      if (target.maxBytes > 0) {
        if (entry.size > target.maxBytes) {
          this.problems.push({ level: 'warning', code: 'file-too-large', message: `${entry.size} bytes, more than the ${target.maxBytes} read for the inventory; not inventoried`, layer: layerDigest, path: `/${entry.path}` });
        } else {
          const buffer = new BoundedBuffer(target.maxBytes);
          sinks.push({
            write: (chunk) => buffer.write(chunk),
            end: () => {
              if (buffer.overflow) return;
              const content = buffer.bytes();
              const parsed = preparse(target.kind, content, `/${entry.path}`);
              // A parsed file's bytes are not needed any more.
              if (parsed === undefined) data.content = content;
              else data.parsed = parsed;
            },
          });
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
