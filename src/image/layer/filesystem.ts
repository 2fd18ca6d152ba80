/**
 * The image's root filesystem as the layers build it up, without file contents except those the scan
 * kept: each path records the layer it came from, so whiteouts (`.wh.NAME`, opaque directories) hide
 * exactly what lower layers put there, as the OCI image spec says.
 */
export interface FsNode<T> {
  kind: 'file' | 'symlink' | 'directory' | 'special';
  /** Index of the layer that last wrote this path. */
  layer: number;
  mode: number;
  size: number;
  /** Symlink target as written (absolute or relative). */
  target?: string;
  /** What the scan derived from the file's bytes (content kept, packages found in a binary). */
  data?: T;
}

/** Linux's own bound on symlinks followed while resolving one path. */
export const MAX_SYMLINK_HOPS = 40;

export type ResolveResult = { path: string } | { loop: true; path: string } | { missing: true; path: string };

export class MergedFilesystem<T> {
  readonly #nodes = new Map<string, FsNode<T>>();
  /** Every path that is an ancestor of some node: only those can have a tree below them to hide. */
  readonly #parents = new Set<string>();

  get size(): number {
    return this.#nodes.size;
  }

  get(path: string): FsNode<T> | undefined {
    return this.#nodes.get(path);
  }

  /**
   * Every node, in the order the layers put them there: deterministic for one image, and cheaper
   * than `entries` for walks whose results are sorted afterwards anyway.
   */
  nodes(): MapIterator<[string, FsNode<T>]> {
    return this.#nodes.entries();
  }

  /** The sorted paths, kept until the next change: the inventory walks them several times. */
  #sorted: string[] | null = null;

  /** Every node, in path order. */
  *entries(): Generator<[string, FsNode<T>]> {
    this.#sorted ??= [...this.#nodes.keys()].sort();
    for (const key of this.#sorted) {
      const node = this.#nodes.get(key);
      if (node !== undefined) yield [key, node];
    }
  }

  /** A member of layer `layer` at `path`: it replaces what was there, and a non-directory hides a lower tree below it. */
  put(path: string, node: FsNode<T>): void {
    this.#sorted = null;
    const previous = this.#nodes.get(path);
    if (node.kind !== 'directory' || (previous !== undefined && previous.kind !== 'directory')) {
      this.#removeBelow(path, node.layer);
    }
    if (node.kind === 'directory' && previous?.kind === 'directory') {
      // A directory entry in a higher layer changes its metadata, not its contents.
      previous.layer = node.layer;
      previous.mode = node.mode;
      return;
    }
    this.#nodes.set(path, node);
    for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
      const parent = path.slice(0, slash);
      if (this.#parents.has(parent)) break;
      this.#parents.add(parent);
    }
  }

  /** `.wh.NAME` in layer `layer`: NAME and everything under it from lower layers is gone. */
  whiteout(path: string, layer: number): void {
    this.#sorted = null;
    const node = this.#nodes.get(path);
    if (node !== undefined && node.layer < layer) this.#nodes.delete(path);
    this.#removeBelow(path, layer);
  }

  /** `.wh..wh..opq` in `dir`: lower layers' contents of `dir` are hidden; the directory itself stays. */
  opaque(dir: string, layer: number): void {
    this.#sorted = null;
    this.#removeBelow(dir, layer);
  }

  #removeBelow(path: string, layer: number): void {
    if (path !== '' && !this.#parents.has(path)) return;
    const prefix = path === '' ? '' : `${path}/`;
    for (const [key, node] of this.#nodes) {
      if (node.layer < layer && key.startsWith(prefix) && key !== path) this.#nodes.delete(key);
    }
  }

  /**
   * The path with every symlink in it resolved inside the image (absolute targets are relative to the
   * image root, `..` stops at the root, as in a chroot), at most MAX_SYMLINK_HOPS links.
   */
  resolve(path: string): ResolveResult {
    let hops = 0;
    let pending = path.split('/').filter((p) => p !== '' && p !== '.');
    const done: string[] = [];
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '..') {
        done.pop();
        continue;
      }
      if (part === '.') continue;
      done.push(part);
      const current = done.join('/');
      const node = this.#nodes.get(current);
      if (node?.kind === 'symlink') {
        if (++hops > MAX_SYMLINK_HOPS) return { loop: true, path };
        const target = node.target ?? '';
        done.pop();
        const targetParts = target.split('/').filter((p) => p !== '' && p !== '.');
        if (target.startsWith('/')) done.length = 0;
        pending = [...targetParts, ...pending];
      } else if (node === undefined && pending.length > 0) {
        // An intermediate directory that no layer listed still exists implicitly; keep walking.
      }
    }
    const resolved = done.join('/');
    // A directory that no layer listed exists implicitly when something lies below it.
    return this.#nodes.has(resolved) || this.#parents.has(resolved) ? { path: resolved } : { missing: true, path: resolved };
  }
}
