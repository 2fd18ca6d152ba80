// fast-check arbitraries for the loader's property tests: Kubernetes-like value trees rendered as
// YAML in every style the fast parser claims to handle (and a few it must refuse), with random
// indentation, comments and blank lines.
import fc from 'fast-check';

export type Tree = string | number | boolean | null | Tree[] | { [key: string]: Tree };

const WORDS = [
  'name', 'image', 'app', 'on', 'off', 'yes', 'No', 'y', 'true', 'null', '~', '1', '0755', '0x1F', '1.5', '1e3',
  '-1', '.inf', '-.inf', '.nan', '2001-12-14', 'nginx:1.25', '100m', '64Mi', 'a b', 'a.b/c', 'key with: colon',
  'hash # inside', 'x#y', 'tab\there', "it's", 'say "hi"', 'back\\slash', 'é', '日本', '-dash', '--flag=1', ':colon',
  '?q', '@at', '`tick', '|pipe', '>gt', '[b]', '{c}', '*star', '&amp', '!bang', '%pct', ',comma', '', ' lead', 'trail ',
  '<<', 'http://x.y/z?a=b', 'a: b', '- x', '---', '...', '0o17', '0b101', '1_000', '+1', '08', '9223372036854775808',
];

const word = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z0-9.\-/]{0,12}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

const multiline = fc
  .array(fc.oneof(fc.constantFrom('', ' ', '  indented', 'line', 'x: y', '# not a comment', '- item'), word), {
    minLength: 1,
    maxLength: 5,
  })
  .map((lines) => lines.join('\n'));

function treeOf(words: fc.Arbitrary<string>): fc.Arbitrary<Tree> {
  const scalar: fc.Arbitrary<Tree> = fc.oneof(
    { weight: 6, arbitrary: words },
    { weight: 1, arbitrary: multiline },
    { weight: 1, arbitrary: fc.integer({ min: -100000, max: 100000 }) },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  return fc.letrec<{ node: Tree; map: Tree; seq: Tree }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('map'), tie('seq')),
    map: fc.dictionary(words, tie('node'), { minKeys: 1, maxKeys: 5 }),
    seq: fc.array(tie('node'), { minLength: 1, maxLength: 4 }),
  })).node;
}

/** Any tree, with keys and strings that exercise every corner of plain-scalar syntax. */
export const tree: fc.Arbitrary<Tree> = treeOf(word);

/** Words as manifests use them: names, labels, images, quantities, YAML 1.1 look-alikes. */
const manifestWord = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,10}(\.[a-z0-9-]{1,6}){0,2}(\/[a-z0-9-]{1,8})?$/),
  fc.constantFrom('on', 'yes', 'no', '0755', '1.5', '100m', '64Mi', 'nginx:1.25', 'IfNotPresent', '2001-12-14', "it's", 'a b'),
);

const manifestTree: fc.Arbitrary<Tree> = treeOf(manifestWord);

/** Random style choices, drawn once per rendering and consumed as the renderer goes. */
export interface Style {
  choices: number[];
}

export const style: fc.Arbitrary<Style> = fc.record({ choices: fc.array(fc.nat(99), { minLength: 64, maxLength: 256 }) });

class Renderer {
  private readonly choices: number[];
  private next = 0;

  constructor(style: Style) {
    this.choices = style.choices;
  }

  private roll(): number {
    const value = this.choices[this.next % this.choices.length]!;
    this.next++;
    return value;
  }

  private chance(percent: number): boolean {
    return this.roll() < percent;
  }

  private comment(): string {
    return this.chance(10) ? ` # c${this.roll()}` : '';
  }

  private gap(indent: string): string {
    if (this.chance(8)) return `${indent}# note\n`;
    if (this.chance(5)) return '\n';
    return '';
  }

  scalarText(value: string | number | boolean | null, indent: string): string {
    if (typeof value !== 'string') return value === null ? (this.chance(50) ? 'null' : '~') : String(value);
    const r = this.roll();
    if (value.includes('\n') && r < 60) {
      const chomp = ['', '-', '+'][this.roll() % 3]!;
      const head = this.chance(50) ? '|' : '>';
      const inner = `${indent}${' '.repeat(1 + (this.roll() % 3))}`;
      return `${head}${chomp}${this.comment()}\n${value
        .split('\n')
        .map((line) => (line === '' && this.chance(50) ? '' : `${inner}${line}`))
        .join('\n')}`;
    }
    if (r < 35) return value.replace(/\n/g, `\n${indent}  `);
    if (r < 60) return `'${value.replace(/'/g, "''").replace(/\n/g, `\n\n${indent} `)}'`;
    if (r < 70) {
      // Double-quoted, folded over lines with escaped breaks the way goyaml's emitter writes them.
      const quoted = JSON.stringify(value);
      const at = Math.floor(quoted.length / 2);
      return `${quoted.slice(0, at)}\\\n${indent}  ${quoted.slice(at)}`;
    }
    return JSON.stringify(value);
  }

  key(key: string): string {
    const r = this.roll();
    if (r < 70) return key;
    if (r < 85) return `'${key.replace(/'/g, "''")}'`;
    return JSON.stringify(key);
  }

  flow(value: Tree): string {
    if (value === null || typeof value !== 'object') {
      return typeof value === 'string' ? (this.chance(50) ? JSON.stringify(value) : value) : this.scalarText(value, '');
    }
    const sep = this.chance(80) ? ', ' : ',';
    if (Array.isArray(value)) return `[${value.map((item) => this.flow(item)).join(sep)}]`;
    // Only a quoted key may be followed by `:` without a space (`{"a":1}`).
    return `{${Object.entries(value)
      .map(([k, v]) => (this.chance(60) ? `${k}: ${this.flow(v)}` : `${JSON.stringify(k)}:${this.chance(50) ? ' ' : ''}${this.flow(v)}`))
      .join(sep)}}`;
  }

  /** Renders `value` as the content after `key:` or `- ` (or a document root when `inline` is false). */
  node(value: Tree, indent: string, context: 'map' | 'seq' | 'root'): string {
    if (value !== null && typeof value === 'object') {
      const empty = Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
      if (empty || this.chance(12)) return `${context === 'root' ? '' : ' '}${this.flow(value)}${this.comment()}\n`;
      const step = ' '.repeat(1 + (this.roll() % 4));
      if (Array.isArray(value)) {
        const inner = context === 'map' && this.chance(50) ? indent : indent + step;
        const head = context === 'root' ? '' : `${this.comment()}\n`;
        if (context === 'seq' && this.chance(50)) {
          // `- - item`: the nested sequence starts on the dash's line.
          return ` ${this.seqItems(value, indent + '  ').slice(indent.length + 2)}`;
        }
        return head + this.seqItems(value, inner);
      }
      if (context === 'seq' && this.chance(70)) {
        // `- key: value`: the mapping starts on the dash's line.
        return ` ${this.mapEntries(value, indent + '  ').slice(indent.length + 2)}`;
      }
      const head = context === 'root' ? '' : `${this.comment()}\n`;
      return head + this.mapEntries(value, context === 'root' ? indent : indent + step);
    }
    const text = this.scalarText(value, indent);
    if (context === 'root') return `${text}\n`;
    if (this.chance(5) && !text.startsWith('|') && !text.startsWith('>')) return `\n${indent}  ${text}\n`;
    return ` ${text}${text.startsWith('|') || text.startsWith('>') ? '' : this.comment()}\n`;
  }

  mapEntries(value: { [key: string]: Tree }, indent: string): string {
    let out = '';
    for (const [key, item] of Object.entries(value)) {
      out += this.gap(indent);
      out += `${indent}${this.key(key)}:${this.node(item, indent, 'map')}`;
    }
    return out;
  }

  seqItems(value: Tree[], indent: string): string {
    let out = '';
    for (const item of value) {
      out += this.gap(indent);
      out += `${indent}-${this.node(item, indent, 'seq')}`;
    }
    return out;
  }
}

export function renderYaml(value: Tree, style: Style): string {
  return new Renderer(style).node(value, '', 'root');
}

/** A stream of one to three rendered documents. */
export const yamlStream: fc.Arbitrary<string> = fc
  .array(fc.tuple(tree, style), { minLength: 1, maxLength: 3 })
  .map((documents) => documents.map(([value, s]) => renderYaml(value, s)).join('---\n'));

/** A Kubernetes-shaped object tree (what most real input looks like). */
export const kubeObject: fc.Arbitrary<Tree> = fc.record({
  apiVersion: fc.constantFrom('v1', 'apps/v1', 'batch/v1'),
  kind: fc.constantFrom('Pod', 'Deployment', 'Service'),
  metadata: fc.record({
    name: manifestWord,
    namespace: manifestWord,
    labels: fc.dictionary(manifestWord, manifestWord, { maxKeys: 3 }),
  }),
  spec: manifestTree,
});

/** Applies random edits (deletions, insertions of YAML-significant characters, line swaps). */
export const mutated = (base: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(
      base,
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.constantFrom('delete', 'insert', 'swap', 'dup'),
          fc.constantFrom(' ', '\t', '\n', ':', '-', '#', '"', "'", '[', ']', '{', '}', ',', '|', '>', '&a', '*a', '!', '?', '%', '\\', '\r', '---\n', '<<: *a\n', '\u0000', '\uFEFF'),
        ),
        { minLength: 1, maxLength: 6 },
      ),
    )
    .map(([text, edits]) => {
      let out = text;
      for (const [at, kind, insert] of edits) {
        const i = out.length === 0 ? 0 : at % (out.length + 1);
        if (kind === 'delete') out = out.slice(0, i) + out.slice(i + 1);
        else if (kind === 'insert') out = out.slice(0, i) + insert + out.slice(i);
        else if (kind === 'dup') out = out.slice(0, i) + out.slice(Math.max(0, i - 5), i) + out.slice(i);
        else {
          const lines = out.split('\n');
          const a = at % lines.length;
          const b = (at >> 3) % lines.length;
          [lines[a], lines[b]] = [lines[b]!, lines[a]!];
          out = lines.join('\n');
        }
      }
      return out;
    });

const FRAGMENTS = [
  'key: value', 'key: 1', 'key: on', 'key:', 'key:   ', 'key: |', 'key: |-', 'key: |+', 'key: >', 'key: >-', 'key: >+',
  'key: | # c', '- item', '- 0755', '- key: v', '-', '- ', '- |', '- >', '- - x', '- [a, b]', '- {a: b}', 'text line',
  '  more text', 'text: with colon', '# comment', '#', '', '   ', 'key: "dq', 'tail"', 'key: "a\\', 'b"', "key: 'sq",
  "tail'", 'key: [a, "b", {c: d}]', 'key: {a: 1, "b":2}', 'key: []', 'key: {}', '...', '---', '--- # doc', 'k: v # c',
  'k: a#b', 'k  : v', '"quoted key": v', "'sq key': v", 'k: -1', 'k: .5', 'k: "x" # c', 'key: -x', 'x:y', 'k: a: b',
  '\tk: v', 'k:\tv', 'k: v\t', 'k: "\\u00e9\\x41\\t"', "k: 'it''s'", 'k: ~', 'k: null', '0x1F: hex', 'on: key', '1.5: f',
];

/** Lines drawn from YAML fragments at random indentations: odd combinations valid YAML allows. */
export const lineSoup: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.nat(6), fc.constantFrom(...FRAGMENTS)), { minLength: 1, maxLength: 14 })
  .map((lines) => `${lines.map(([indent, fragment]) => ' '.repeat(indent) + fragment).join('\n')}\n`);
