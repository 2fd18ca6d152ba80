import { BulwarkError } from '../../core/index.ts';

/**
 * Image globs over `registry/repository`: `*` matches within one path segment, `**` any number of
 * segments (including none when it stands alone between slashes), everything else literally.
 */
export function compileImageGlob(glob: string, what: string): RegExp {
  if (glob.length > 512) throw new BulwarkError('E_CONFIG', `${what}: the image pattern is too long`);
  let pattern = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === '*' && glob[index + 1] === '*') {
      const slashAfter = glob[index + 2] === '/';
      pattern += slashAfter ? '(?:.*/)?' : '.*';
      index += slashAfter ? 2 : 1;
    } else if (char === '*') {
      pattern += '[^/]*';
    } else {
      pattern += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${pattern}$`);
}
