/**
 * A field path inside an object: keys and array indices, outermost first. Kept as segments (not a
 * string) so that keys containing dots — annotation names, for one — stay unambiguous.
 */
export type FieldPath = readonly (string | number)[];

const SIMPLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * `spec.template.spec.containers[1].securityContext.privileged`; keys that are not simple
 * identifiers are quoted: `metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]`.
 */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) out = appendSegment(out, segment);
  return out;
}

function appendSegment(out: string, segment: string | number): string {
  if (typeof segment === 'number') return `${out}[${segment}]`;
  if (SIMPLE_KEY.test(segment)) return out === '' ? segment : `${out}.${segment}`;
  return `${out}[${JSON.stringify(segment)}]`;
}

/** Reads the value at `path`, or undefined when any step is missing. */
export function getAt(root: unknown, path: FieldPath): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

interface PathNode {
  text: string;
  children: Map<string | number, PathNode> | undefined;
}

/**
 * `formatPath` with its answers shared: findings of one scan name a few hundred distinct paths
 * (`spec.template.spec.containers[0].securityContext…`) tens of thousands of times, and building
 * each text anew was the scan's largest per-finding allocation. Segments are looked up in a tree, so
 * a known path costs no allocation. The tree stops growing at `limit` nodes (input paths are
 * user-controlled: map keys); beyond it paths are formatted as before.
 */
export function createPathFormatter(limit = 20_000): (path: FieldPath) => string {
  const root: PathNode = { text: '', children: undefined };
  let nodes = 0;
  return (path) => {
    let node = root;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      let child = node.children?.get(segment);
      if (child === undefined) {
        if (nodes >= limit) return formatPath(path);
        child = { text: appendSegment(node.text, segment), children: undefined };
        (node.children ??= new Map()).set(segment, child);
        nodes++;
      }
      node = child;
    }
    return node.text;
  };
}
