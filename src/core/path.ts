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
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (SIMPLE_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
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
