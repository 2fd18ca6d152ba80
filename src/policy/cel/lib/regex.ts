// Kubernetes regex library ("kubernetes.regex"): find and findAll, plus CEL's own `matches`, all
// with RE2 semantics and a shared cache of compiled patterns.
import type { CelFunc } from '@bufbuild/cel';
import { globalFn, isInt, isString, memberFn } from '../overload.ts';
import { listOf } from '../values.ts';
import { regexFind, regexFindAll, regexMatches } from './re2.ts';

export const regexFunctions: CelFunc[] = [
  // Same id as @bufbuild/cel's own `matches`, which it replaces (that one recompiles per call).
  memberFn('matches', isString, [isString], (text, pattern) => regexMatches(text as string, pattern as string), 'string.matches(string)'),
  globalFn('matches', [isString, isString], (text, pattern) => regexMatches(text as string, pattern as string)),
  memberFn('find', isString, [isString], (text, pattern) => regexFind(text as string, pattern as string)),
  memberFn('findAll', isString, [isString], (text, pattern) => listOf(regexFindAll(text as string, pattern as string, -1))),
  memberFn('findAll', isString, [isString, isInt], (text, pattern, limit) => {
    const n = limit as bigint;
    return listOf(regexFindAll(text as string, pattern as string, n > 0x7fffffffn ? 0x7fffffff : n < 0n ? -1 : Number(n)));
  }),
];
