import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { rewriteBuiltinImports } from '../scripts/builtin-imports.ts';

test('one-line imports of Node built-ins become getBuiltinModule declarations, line for line', () => {
  const source = [
    "import { readFileSync, statSync as stat, type Stats } from 'node:fs';",
    "import module from 'node:module';",
    "import type { Worker } from 'node:worker_threads';",
    "import { type KeyObject } from 'node:crypto';",
    "import { parse } from 'yaml';",
    "import { join } from './path.ts';",
    "const text = readFileSync('x', 'utf8');",
  ].join('\n');
  assert.equal(
    rewriteBuiltinImports(source),
    [
      'const { readFileSync, statSync: stat } = process.getBuiltinModule("node:fs");',
      'const module = process.getBuiltinModule("node:module");',
      "import type { Worker } from 'node:worker_threads';",
      '',
      "import { parse } from 'yaml';",
      "import { join } from './path.ts';",
      "const text = readFileSync('x', 'utf8');",
    ].join('\n'),
  );
});

test('an import written over several lines, or of a whole namespace, stays an ES import', () => {
  const source = "import {\n  readFileSync,\n} from 'node:fs';\nimport * as path from 'node:path';\n";
  assert.equal(rewriteBuiltinImports(source), source);
});

test('the bundled names read the same values as the ES import would', async () => {
  const declarations = rewriteBuiltinImports("import { join, sep as separator } from 'node:path';");
  const { join, sep } = await import('node:path');
  const read = new Function(`${declarations}; return [join, separator];`)() as [unknown, unknown];
  assert.equal(read[0], join);
  assert.equal(read[1], sep);
});

const RESERVED = new Set(['as', 'do', 'if', 'in', 'for', 'let', 'new', 'try', 'var', 'case', 'else', 'enum', 'eval', 'null', 'this', 'true', 'void', 'with', 'await', 'break', 'catch', 'class', 'const', 'false', 'super', 'throw', 'while', 'yield', 'delete', 'export', 'import', 'public', 'return', 'static', 'switch', 'typeof', 'default', 'extends', 'finally', 'package', 'private', 'continue', 'debugger', 'function', 'arguments', 'interface', 'protected', 'implements', 'instanceof', 'type', 'process']);

test('property: every name an import binds is bound by the declaration, to the export it names', () => {
  const identifier = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,8}$/).filter((name) => !RESERVED.has(name));
  const specifier = fc.record({ name: identifier, alias: fc.option(identifier, { nil: undefined }), typeOnly: fc.boolean() });
  fc.assert(
    fc.property(fc.uniqueArray(specifier, { minLength: 1, maxLength: 6, selector: (s) => s.alias ?? s.name }), (specifiers) => {
      const clause = specifiers.map((s) => `${s.typeOnly ? 'type ' : ''}${s.name}${s.alias === undefined ? '' : ` as ${s.alias}`}`).join(', ');
      const rewritten = rewriteBuiltinImports(`import { ${clause} } from 'node:fake';`);
      const bound = specifiers.filter((s) => !s.typeOnly);
      if (bound.length === 0) return rewritten === '';
      const exports = Object.fromEntries(specifiers.map((s) => [s.name, `value of ${s.name}`]));
      const fakeProcess = { getBuiltinModule: (name: string) => (name === 'node:fake' ? exports : undefined) };
      const locals = bound.map((s) => s.alias ?? s.name);
      const values = new Function('process', `${rewritten}; return [${locals.join(', ')}];`)(fakeProcess) as string[];
      return bound.every((s, i) => values[i] === `value of ${s.name}`);
    }),
  );
});
