// Strings that outlive the text they were made from. V8 keeps a slice of 13 or more characters as a
// view into its parent string, and a concatenation as a tree of its parts: a value kept after its
// file (an object kept for the cross-object checks, an image name in a cache) kept the whole file
// segment (~120 KB) alive, and a finding's message, a template of several parts, took about twice
// the memory of its text until the report flattened it in the old generation.

const SLICE_VIEW_MIN = 13;

/** `text` as one flat string sharing no storage with any other. */
export function detach(text: string): string {
  // Slicing a concatenation flattens it into a new string first; the slice is a view of that copy.
  return text.length < SLICE_VIEW_MIN ? text : (' ' + text).slice(1);
}

/** `text.slice(start, end)`, detached from `text`. */
export function detachedSlice(text: string, start: number, end: number): string {
  return end - start < SLICE_VIEW_MIN ? text.slice(start, end) : (' ' + text.slice(start, end)).slice(1);
}
