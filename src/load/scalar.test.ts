import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFloat32, keyString, resolvePlain, resolvedTag, resolveTagged } from './scalar.ts';

// [plain scalar as written, value goyaml.v2 decodes into interface{} (then JSON), tag]
const PLAIN: [string, unknown, string][] = [
  // booleans: YAML 1.1 spellings, not the YAML 1.2 core schema
  ['y', true, 'bool'],
  ['Y', true, 'bool'],
  ['yes', true, 'bool'],
  ['Yes', true, 'bool'],
  ['YES', true, 'bool'],
  ['true', true, 'bool'],
  ['True', true, 'bool'],
  ['TRUE', true, 'bool'],
  ['on', true, 'bool'],
  ['On', true, 'bool'],
  ['ON', true, 'bool'],
  ['n', false, 'bool'],
  ['N', false, 'bool'],
  ['no', false, 'bool'],
  ['No', false, 'bool'],
  ['NO', false, 'bool'],
  ['false', false, 'bool'],
  ['False', false, 'bool'],
  ['FALSE', false, 'bool'],
  ['off', false, 'bool'],
  ['Off', false, 'bool'],
  ['OFF', false, 'bool'],
  ['yES', 'yES', 'str'],
  ['tRUE', 'tRUE', 'str'],
  ['oN', 'oN', 'str'],
  ['yes!', 'yes!', 'str'],
  // nulls
  ['', null, 'null'],
  ['~', null, 'null'],
  ['null', null, 'null'],
  ['Null', null, 'null'],
  ['NULL', null, 'null'],
  ['nULL', 'nULL', 'str'],
  ['none', 'none', 'str'],
  // integers: Go's ParseInt(s, 0, 64) after removing underscores
  ['0', 0, 'int'],
  ['-0', 0, 'int'],
  ['+0', 0, 'int'],
  ['42', 42, 'int'],
  ['-17', -17, 'int'],
  ['+17', 17, 'int'],
  ['0755', 493, 'int'],
  ['0o17', 15, 'int'],
  ['0O17', 15, 'int'],
  ['0x1F', 31, 'int'],
  ['0X1f', 31, 'int'],
  ['-0x1F', -31, 'int'],
  ['0b101', 5, 'int'],
  ['0B101', 5, 'int'],
  ['-0b101', -5, 'int'],
  ['1_000', 1000, 'int'],
  ['1__0', 10, 'int'],
  ['0x_1F', 31, 'int'],
  ['9223372036854775807', 9223372036854775807, 'int'],
  ['-9223372036854775808', -9223372036854775808, 'int'],
  ['18446744073709551615', 18446744073709551615, 'uint'],
  ['0xFFFFFFFFFFFFFFFFFF', 0xffffffffffffffffff, 'bigint'],
  // a decimal too large for 64 bits reads as a float
  ['99999999999999999999', 1e20, 'float'],
  ['-99999999999999999999', -1e20, 'float'],
  // invalid octal digits: not an int, but the float syntax accepts it
  ['08', 8, 'float'],
  ['0999', 999, 'float'],
  ['0x', '0x', 'str'],
  ['0xG', '0xG', 'str'],
  ['0b2', '0b2', 'str'],
  ['-', '-', 'str'],
  ['+', '+', 'str'],
  ['1-2', '1-2', 'str'],
  ['12:30:00', '12:30:00', 'str'], // no sexagesimal numbers in goyaml.v2
  ['190:20:30', '190:20:30', 'str'],
  // floats
  ['1.5', 1.5, 'float'],
  ['-1.5', -1.5, 'float'],
  ['+1.5', 1.5, 'float'],
  ['1.', 1, 'float'],
  ['.5', 0.5, 'float'],
  ['-.5', -0.5, 'float'],
  ['1e3', 1000, 'float'],
  ['1E3', 1000, 'float'],
  ['1e+3', 1000, 'float'],
  ['6.02e-23', 6.02e-23, 'float'],
  ['1_000.5', 1000.5, 'float'],
  ['.5e3', 500, 'float'],
  ['.5_0', '.5_0', 'str'], // underscores removed only on the number route, not for a leading dot
  ['1e999', '1e999', 'str'], // out of range: stays text
  ['.5e999', '.5e999', 'str'],
  ['1.2.3', '1.2.3', 'str'],
  ['.', '.', 'str'],
  ['.e3', '.e3', 'str'],
  ['1e', '1e', 'str'],
  ['.inf', Number.POSITIVE_INFINITY, 'float'],
  ['.Inf', Number.POSITIVE_INFINITY, 'float'],
  ['.INF', Number.POSITIVE_INFINITY, 'float'],
  ['+.inf', Number.POSITIVE_INFINITY, 'float'],
  ['-.inf', Number.NEGATIVE_INFINITY, 'float'],
  ['-.Inf', Number.NEGATIVE_INFINITY, 'float'],
  ['.iNf', '.iNf', 'str'],
  ['.nan', Number.NaN, 'float'],
  ['.NaN', Number.NaN, 'float'],
  ['.NAN', Number.NaN, 'float'],
  ['+.nan', '+.nan', 'str'],
  ['nan', 'nan', 'str'],
  ['inf', 'inf', 'str'],
  ['Infinity', 'Infinity', 'str'],
  // timestamps stay the text they were written as
  ['2001-12-14', '2001-12-14', 'timestamp'],
  ['2001-12-14T21:59:43.10-05:00', '2001-12-14T21:59:43.10-05:00', 'timestamp'],
  ['2001-12-14t21:59:43Z', '2001-12-14t21:59:43Z', 'timestamp'],
  ['2001-12-14 21:59:43.10', '2001-12-14 21:59:43.10', 'timestamp'],
  ['2001-13-14', '2001-13-14', 'str'],
  // merge key and plain strings
  ['<<', '<<', 'str'], // a merge key is recognised by its text, not by resolution
  ['nginx:1.25', 'nginx:1.25', 'str'],
  ['100m', '100m', 'str'],
  ['64Mi', '64Mi', 'str'],
  ['v1', 'v1', 'str'],
  ['1.25', 1.25, 'float'],
  ['3.10', 3.1, 'float'],
  ['é', 'é', 'str'],
];

describe('resolvePlain (goyaml.v2 implicit typing)', () => {
  for (const [text, value, tag] of PLAIN) {
    it(`${JSON.stringify(text)} → ${typeof value === 'string' ? JSON.stringify(value) : String(value)} (${tag})`, () => {
      const got = resolvePlain(text);
      assert.equal(resolvedTag, tag);
      if (typeof value === 'number' && Number.isNaN(value)) assert.ok(Number.isNaN(got));
      else assert.equal(got, value);
      if (got === 0) assert.ok(!Object.is(got, -0), 'integers have no negative zero');
    });
  }
});

describe('resolveTagged (explicit tags)', () => {
  const Y = 'tag:yaml.org,2002:';
  it('!!str keeps any text', () => {
    assert.deepEqual(resolveTagged(`${Y}str`, 'yes'), { value: 'yes' });
    assert.deepEqual(resolveTagged(`${Y}str`, '0755'), { value: '0755' });
  });
  it('!!int accepts what resolves to an int, refuses the rest', () => {
    assert.deepEqual(resolveTagged(`${Y}int`, '0x10'), { value: 16 });
    const refused = resolveTagged(`${Y}int`, '1.5');
    assert.equal(refused.value, '1.5');
    assert.match(refused.error ?? '', /cannot decode !!float `1.5` as a !!int/);
  });
  it('!!float accepts an int', () => {
    assert.deepEqual(resolveTagged(`${Y}float`, '3'), { value: 3 });
    assert.match(resolveTagged(`${Y}float`, 'abc').error ?? '', /!!str `abc` as a !!float/);
  });
  it('!!bool and !!null', () => {
    assert.deepEqual(resolveTagged(`${Y}bool`, 'on'), { value: true });
    assert.deepEqual(resolveTagged(`${Y}null`, '~'), { value: null });
    assert.ok(resolveTagged(`${Y}bool`, 'maybe').error);
  });
  it('!!timestamp keeps the text, and refuses a non-timestamp', () => {
    assert.deepEqual(resolveTagged(`${Y}timestamp`, '2020-01-02'), { value: '2020-01-02' });
    assert.ok(resolveTagged(`${Y}timestamp`, 'soon').error);
  });
  it('!!binary decodes base64 to text', () => {
    assert.deepEqual(resolveTagged(`${Y}binary`, 'aGVs\nbG8='), { value: 'hello' });
    assert.ok(resolveTagged(`${Y}binary`, 'not base64!').error);
  });
  it('unknown tags leave the text as a string', () => {
    assert.deepEqual(resolveTagged('!custom', '12'), { value: '12' });
    assert.deepEqual(resolveTagged('tag:example.com,2000:x', 'true'), { value: 'true' });
  });
});

describe('keyString (sigs.k8s.io/yaml key conversion)', () => {
  const key = (text: string): string | null => keyString(resolvePlain(text), resolvedTag);
  it('converts resolved keys to JSON object keys', () => {
    assert.equal(key('name'), 'name');
    assert.equal(key('on'), 'true');
    assert.equal(key('no'), 'false');
    assert.equal(key('1'), '1');
    assert.equal(key('0x1F'), '31');
    assert.equal(key('0755'), '493');
    assert.equal(key('9223372036854775807'), '9223372036854775807');
    assert.equal(key('1.0'), '1');
    assert.equal(key('1.5'), '1.5');
    assert.equal(key('0.1'), '0.1');
    assert.equal(key('1e6'), '1e+06');
    assert.equal(key('123456'), '123456');
    assert.equal(key('0.00001'), '1e-05');
    assert.equal(key('.inf'), '.inf');
    assert.equal(key('-.inf'), '-.inf');
    assert.equal(key('.nan'), '.nan');
    assert.equal(key('2001-12-14'), '2001-12-14');
  });
  it('refuses keys the conversion cannot express', () => {
    assert.equal(key('~'), null);
    assert.equal(key(''), null);
    assert.equal(key('18446744073709551615'), null);
    assert.equal(key('0xFFFFFFFFFFFFFFFFFF'), null);
  });
});

describe('formatFloat32 (Go FormatFloat(v, g, -1, 32))', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [-2.5, '-2.5'],
    [1.1, '1.1'],
    [100000, '100000'],
    [1000000, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00012, '0.00012'],
    [0.00001, '1e-05'],
    [3.4e38, '3.4e+38'],
    [1e39, '.inf'],
    [16777217, '1.6777216e+07'],
  ];
  for (const [value, text] of cases) {
    it(`${value} → ${text}`, () => assert.equal(formatFloat32(value), text));
  }
});
