import { BulwarkError, formatLocation, type ErrorLocation } from '../core/index.ts';

/** One thing wrong in a configuration file, where it is written. */
export interface ConfigProblem {
  location: ErrorLocation;
  message: string;
}

/** Beyond this many, a user fixes what is listed and runs again; the rest would be noise. */
const MAX_LISTED = 50;

/**
 * Every problem found in a configuration file, thrown at once so that one run lists them all. The
 * message's first line is the first problem (its place is the error's `location`); each further line
 * carries its own `file:line:column: `, so `toString()` prints one clickable line per problem.
 */
export class ConfigError extends BulwarkError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const sorted = [...problems].sort(compareProblems);
    const [first, ...rest] = sorted;
    if (first === undefined) throw new RangeError('ConfigError needs at least one problem');
    const lines = [first.message];
    for (const problem of rest.slice(0, MAX_LISTED - 1)) lines.push(`${formatLocation(problem.location)}${problem.message}`);
    if (rest.length >= MAX_LISTED) lines.push(`... and ${rest.length - MAX_LISTED + 1} more problems`);
    super('E_CONFIG', lines.join('\n'), { location: first.location });
    this.problems = sorted;
  }
}

function compareProblems(a: ConfigProblem, b: ConfigProblem): number {
  return (
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    (a.location.column ?? 0) - (b.location.column ?? 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
