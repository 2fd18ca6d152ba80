// The Kubernetes CEL environment: CEL's standard library and the strings extension from
// @bufbuild/cel, the Kubernetes libraries from ./lib. Built once per process; the static checker
// reads the same function table the evaluator calls, so the two can never disagree about what
// exists. Cost is charged per comprehension iteration (by the size of the loop body, see
// ./rewrite.ts) and by the library functions whose work grows with their input; wrapping every
// standard operator to count it was measured to double evaluation time.
import { celEnv, type CelEnv, type CelFunc } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { authzFunctions } from './lib/authz.ts';
import { formatFunctions } from './lib/format.ts';
import { internalFunctions } from './lib/internal.ts';
import { ipFunctions } from './lib/ip.ts';
import { listFunctions } from './lib/lists.ts';
import { optionalFunctions } from './lib/optional.ts';
import { quantityFunctions } from './lib/quantity.ts';
import { regexFunctions } from './lib/regex.ts';
import { semverFunctions } from './lib/semver.ts';
import { setFunctions } from './lib/sets.ts';
import { REPLACED_STRING_FUNCTIONS, stringFunctions } from './lib/strings.ts';
import { urlFunctions } from './lib/urls.ts';
import { signatureOf, type Signature } from './overload.ts';
import { standardFunctions } from './std.ts';

/** What the checker knows about a function name: the arities of its global and member overloads. */
export interface FunctionShape {
  global: ReadonlySet<number>;
  member: ReadonlySet<number>;
}

export interface KubernetesEnvironment {
  env: CelEnv;
  functions: ReadonlyMap<string, FunctionShape>;
}

let built: KubernetesEnvironment | undefined;

export function kubernetesEnvironment(): KubernetesEnvironment {
  if (built !== undefined) return built;
  const all: CelFunc[] = [
    ...standardFunctions(),
    ...strings.filter((f) => !REPLACED_STRING_FUNCTIONS.has(f.name)),
    ...stringFunctions,
    ...listFunctions,
    ...regexFunctions,
    ...urlFunctions,
    ...quantityFunctions,
    ...ipFunctions,
    ...formatFunctions,
    ...setFunctions,
    ...semverFunctions,
    ...optionalFunctions,
    ...authzFunctions,
    ...internalFunctions,
  ];
  const shapes = new Map<string, { global: Set<number>; member: Set<number> }>();
  for (const func of all) {
    const signature: Signature = signatureOf(func);
    let shape = shapes.get(signature.name);
    if (shape === undefined) shapes.set(signature.name, (shape = { global: new Set(), member: new Set() }));
    (signature.member ? shape.member : shape.global).add(signature.arity);
  }
  built = { env: celEnv({ funcs: all }), functions: shapes };
  return built;
}
