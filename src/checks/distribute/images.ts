// The image of each container, parsed once per distinct reference for the whole scan: a corpus names
// few images many times, and every image check reads the same parse.
import { fieldOf, type ContainerView } from '../../podspec/index.ts';
import { parseImageReference, type ImageReferenceResult } from './image-reference.ts';

// Enough for the distinct images of a large repository; cleared whole when full (a few MiB at most).
const MAX_CACHED = 16384;
const cache = new Map<string, ImageReferenceResult>();

// The image checks of one object ask for the same few references one after another: a small ring
// answers those before the map, whose lookup hashes the whole text (in a profile of the 10,000-object
// scan the map lookups were ~15 ms, six per container).
const RECENT = 4;
const recentTexts: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
const recentResults: (ImageReferenceResult | undefined)[] = new Array<ImageReferenceResult | undefined>(RECENT).fill(undefined);
let recentNext = 0;

export function parseImageCached(text: string): ImageReferenceResult {
  for (let i = 0; i < RECENT; i++) if (recentTexts[i] === text) return recentResults[i]!;
  let result = cache.get(text);
  if (result === undefined) {
    result = parseImageReference(text);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(text, result);
  }
  recentTexts[recentNext] = text;
  recentResults[recentNext] = result;
  recentNext = (recentNext + 1) % RECENT;
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
