// The image of each container, parsed once per distinct reference for the whole scan: a corpus names
// few images many times, and every image check reads the same parse.
import { fieldOf, type ContainerView } from '../../podspec/index.ts';
import { parseImageReference, type ImageReferenceResult } from './image-reference.ts';

// Enough for the distinct images of a large repository; cleared whole when full (a few MiB at most).
const MAX_CACHED = 16384;
const cache = new Map<string, ImageReferenceResult>();

export function parseImageCached(text: string): ImageReferenceResult {
  let result = cache.get(text);
  if (result === undefined) {
    result = parseImageReference(text);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(text, result);
  }
  return result;
}

/** The container's image when it is a string (a missing one is refused by the API server already). */
export function imageText(container: ContainerView): string | undefined {
  const text = fieldOf(container.raw, 'image');
  return typeof text === 'string' ? text : undefined;
}

/** `latest`, or a configured floating tag, or no tag (which pulls `latest`); never when a digest pins it. */
export function floatingTag(result: ImageReferenceResult, floatingTags: readonly string[]): string | undefined {
  if (!result.ok || result.reference.digest !== undefined) return undefined;
  const tag = result.reference.tag;
  if (tag === undefined) return '';
  if (tag === 'latest' || floatingTags.includes(tag)) return tag;
  return undefined;
}
