import { matchesGlob } from 'node:path';

/** A namespace name (RFC 1123 label, at most 63 characters) or a glob of one with `*` and `?`. */
export const NAMESPACE_GLOB = /^[a-z0-9*?]([-a-z0-9*?]{0,61}[a-z0-9*?])?$/;

/**
 * Name globs for namespaces and object names: `*` is any run of characters (also none), `?` exactly
 * one; everything else is literal. Kubernetes names never contain `/`, so there is no segment logic,
 * and `[`, `{` stay literal on purpose: a name glob has two metacharacters a reader must know.
 */
export function compileNameGlob(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return (name) => name === pattern;
  // The common shapes (`monitoring-*`, `*-exporter`) skip the regular expression.
  const inner = pattern.slice(1, -1);
  if (!inner.includes('*') && !pattern.includes('?')) {
    if (pattern.endsWith('*') && !pattern.startsWith('*')) {
      const prefix = pattern.slice(0, -1);
      return (name) => name.startsWith(prefix);
    }
    if (pattern.startsWith('*') && !pattern.endsWith('*')) {
      const suffix = pattern.slice(1);
      return (name) => name.endsWith(suffix);
    }
  }
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`, 'su');
  return (name) => regex.test(name);
}

/**
 * A file is excluded when the glob matches its path or the path of any directory above it (below the
 * glob's root), so `vendor` and `vendor/**` both exclude everything under `vendor/`, and a loader can
 * prune a whole directory by asking about the directory itself. `relative` uses `/` separators.
 */
export function matchesPathGlob(relative: string, pattern: string): boolean {
  let path = relative;
  for (;;) {
    if (matchesGlob(path, pattern)) return true;
    const slash = path.lastIndexOf('/');
    if (slash <= 0) return false;
    path = path.slice(0, slash);
  }
}
