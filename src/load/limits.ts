// Bounds that keep hostile or broken input from costing unbounded time, memory or stack.

/** Deepest nesting of collections a document may have (Kubernetes objects rarely pass 30). */
export const MAX_DEPTH = 200;

/**
 * Deepest nesting once aliases are expanded: an alias can place a deep anchored value deep inside
 * another, and every consumer of `raw` walks it recursively.
 */
export const MAX_EXPANDED_DEPTH = 1000;

/** Longest implicit mapping key, as libyaml (and so the API server) allows. */
export const MAX_KEY_LENGTH = 1024;

/** Default size above which a file is refused. */
export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;
