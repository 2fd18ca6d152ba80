// Node's built-in modules taken with `process.getBuiltinModule` instead of `import`, in the package's
// bundle (scripts/bundle.ts). An ES import of a built-in builds a namespace of every export the module
// has, reading each one; for `node:fs` that loads Node's file streams (~10 ms on the benchmark machine,
// in every thread that imports it, before the scan thread reads a single file). Our imports of built-ins
// are single lines (`import { a, b as c } from 'node:x';`, `import x from 'node:x';`); each becomes the
// declaration it stands for, on the same line so that source maps still point right. An import written
// otherwise stays an ES import: correct, only slower to load.

const BUILTIN_IMPORT = /^import (\{[^}\n]*\}|[A-Za-z_$][\w$]*) from '(node:[^']+)';$/gm;

/** `source` (TypeScript) with its one-line imports of Node built-ins turned into declarations. */
export function rewriteBuiltinImports(source: string): string {
  return source.replace(BUILTIN_IMPORT, (_line, clause: string, specifier: string) => declaration(clause, specifier));
}

function declaration(clause: string, specifier: string): string {
  const builtin = `process.getBuiltinModule(${JSON.stringify(specifier)})`;
  if (!clause.startsWith('{')) return `const ${clause} = ${builtin};`;
  const names = clause
    .slice(1, -1)
    .split(',')
    .map((name) => name.trim())
    // Type-only names are erased; TypeScript checked them against the real import.
    .filter((name) => name !== '' && !name.startsWith('type '))
    .map((name) => name.replace(/^([\w$]+) as ([\w$]+)$/, '$1: $2'));
  return names.length === 0 ? '' : `const { ${names.join(', ')} } = ${builtin};`;
}
