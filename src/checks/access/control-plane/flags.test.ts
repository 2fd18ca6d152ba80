import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { flagTable } from './component.ts';
import { lastFlag, listFlag, mapFlag, parseFlags, parseGoBool, splitCsv, type Argument, type FlagTable } from './flags.ts';

function args(...values: string[]): Argument[] {
  return values.map((value, index) => ({ value, path: ['command', index + 1] }));
}

const apiserver = flagTable('kube-apiserver');
const etcd = flagTable('etcd');

function values(parsed: ReturnType<typeof parseFlags>): [string, string][] {
  return parsed.occurrences.map((o) => [o.name, o.value]);
}

describe('pflag dialect (Kubernetes components)', () => {
  it('reads --flag=value, --flag value and bare booleans', () => {
    const parsed = parseFlags(args('--audit-log-path=/a.log', '--audit-log-maxage', '30', '--profiling', '--anonymous-auth=false'), apiserver);
    assert.deepEqual(values(parsed), [
      ['audit-log-path', '/a.log'],
      ['audit-log-maxage', '30'],
      ['profiling', 'true'],
      ['anonymous-auth', 'false'],
    ]);
    assert.deepEqual(parsed.problems, []);
  });

  it('never gives a boolean the next argument: --profiling false leaves false as an argument', () => {
    const parsed = parseFlags(args('--profiling', 'false'), apiserver);
    assert.deepEqual(values(parsed), [['profiling', 'true']]);
    assert.deepEqual(parsed.positional.map((p) => p.value), ['false']);
  });

  it('gives a valued flag the next argument even when it starts with a dash', () => {
    const parsed = parseFlags(args('--audit-log-path', '-', '--profiling=false'), apiserver);
    assert.deepEqual(values(parsed), [['audit-log-path', '-'], ['profiling', 'false']]);
  });

  it('points each flag at the argument that holds it', () => {
    const parsed = parseFlags(args('--secure-port', '6443'), apiserver);
    assert.deepEqual(parsed.occurrences[0]!.path, ['command', 1]);
  });

  it('keeps the value after the first = whole', () => {
    assert.deepEqual(values(parseFlags(args('--runtime-config=api/all=true'), apiserver)), [['runtime-config', 'api/all=true']]);
  });

  it('takes one argument as one argument, spaces included', () => {
    const parsed = parseFlags(args('--tls-private-key-file=/k.key --token-auth-file=/t.csv'), apiserver);
    assert.equal(lastFlag(parsed, 'token-auth-file'), undefined);
    assert.equal(lastFlag(parsed, 'tls-private-key-file')!.value, '/k.key --token-auth-file=/t.csv');
  });

  it('normalises _ to - in names, as the components do', () => {
    assert.equal(lastFlag(parseFlags(args('--anonymous_auth=false'), apiserver), 'anonymous-auth')!.value, 'false');
  });

  it('lets the last occurrence of a plain flag win', () => {
    assert.equal(lastFlag(parseFlags(args('--profiling=false', '--profiling=true'), apiserver), 'profiling')!.value, 'true');
  });

  it('accumulates list flags over repetitions and splits StringSlice values as CSV', () => {
    const parsed = parseFlags(args('--enable-admission-plugins=NodeRestriction,"A,B"', '--enable-admission-plugins', 'C, D'), apiserver);
    assert.deepEqual(
      listFlag(parsed, 'enable-admission-plugins').map((e) => e.item),
      ['NodeRestriction', 'A,B', 'C', ' D'],
    );
  });

  it('merges map flags', () => {
    const parsed = parseFlags(args('--feature-gates=A=true,B=false', '--feature-gates=B=true'), apiserver);
    const gates = mapFlag(parsed, 'feature-gates');
    assert.equal(gates.get('A')!.value, 'true');
    assert.equal(gates.get('B')!.value, 'true');
  });

  it('stops at -- and keeps reading after positional arguments', () => {
    const parsed = parseFlags(args('stray', '--profiling=false', '--', '--anonymous-auth=true'), apiserver);
    assert.deepEqual(values(parsed), [['profiling', 'false']]);
    assert.deepEqual(parsed.positional.map((p) => p.value), ['stray', '--anonymous-auth=true']);
  });

  it('reads shorthands as pflag does', () => {
    assert.deepEqual(values(parseFlags(args('-v=2'), apiserver)), [['v', '2']]);
    assert.deepEqual(values(parseFlags(args('-v', '4'), apiserver)), [['v', '4']]);
    assert.deepEqual(values(parseFlags(args('-v3'), apiserver)), [['v', '3']]);
    assert.match(parseFlags(args('-x'), apiserver).problems[0]!.message, /unknown shorthand flag: 'x'/);
  });

  it('reports what the binary would refuse', () => {
    assert.match(parseFlags(args('--enable-admission-plugins'), apiserver).problems[0]!.message, /flag needs an argument/);
    assert.match(parseFlags(args('---x'), apiserver).problems[0]!.message, /bad flag syntax/);
    assert.match(parseFlags(args('--=x'), apiserver).problems[0]!.message, /bad flag syntax/);
  });

  it('does not let an undescribed flag swallow the next flag', () => {
    const parsed = parseFlags(args('--some-new-switch', '--profiling=false', '--other', 'value'), apiserver);
    assert.deepEqual(values(parsed), [['some-new-switch', 'true'], ['profiling', 'false'], ['other', 'value']]);
  });
});

describe('Go flag dialect (etcd)', () => {
  it('accepts one or two dashes and gives booleans a value only after =', () => {
    const parsed = parseFlags(args('-client-cert-auth', '--cert-file', '/c.crt', '-peer-auto-tls=false'), etcd);
    assert.deepEqual(values(parsed), [['client-cert-auth', 'true'], ['cert-file', '/c.crt'], ['peer-auto-tls', 'false']]);
  });

  it('stops at the first non-flag argument', () => {
    const parsed = parseFlags(args('--name=a', 'oops', '--client-cert-auth'), etcd);
    assert.deepEqual(values(parsed), [['name', 'a']]);
    assert.deepEqual(parsed.positional.map((p) => p.value), ['oops', '--client-cert-auth']);
  });

  it('does not normalise underscores', () => {
    assert.equal(lastFlag(parseFlags(args('--client_cert_auth'), etcd), 'client-cert-auth'), undefined);
  });
});

describe('helpers', () => {
  it('parses booleans as strconv.ParseBool', () => {
    for (const yes of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(parseGoBool(yes), true);
    for (const no of ['0', 'f', 'F', 'false', 'FALSE', 'False']) assert.equal(parseGoBool(no), false);
    for (const bad of ['yes', 'on', '', 'tRUE']) assert.equal(parseGoBool(bad), undefined);
  });

  it('splits CSV with quotes and doubled quotes', () => {
    assert.deepEqual(splitCsv('a,"b,c","d""e"'), ['a', 'b,c', 'd"e']);
    assert.deepEqual(splitCsv(''), ['']);
  });
});

describe('robustness', () => {
  const tables: FlagTable[] = [apiserver, etcd, flagTable('kube-scheduler')];
  const word = fc.oneof(
    fc.constantFrom('--', '-', '---', '--=', '--profiling', '--profiling=false', '-v', '-v=2', '-vv', '--audit-log-path', '--feature-gates=A=true,=,B', '-h', 'x', '--enable-admission-plugins', '"'),
    fc.string({ maxLength: 12 }),
  );

  it('never throws, and every argument is read at most once', () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 20 }), fc.constantFrom(...tables), (words, table) => {
        const parsed = parseFlags(args(...words), table);
        assert.ok(parsed.occurrences.length + parsed.positional.length <= words.length);
        for (const occurrence of parsed.occurrences) listFlag(parsed, occurrence.name);
        mapFlag(parsed, 'feature-gates');
      }),
    );
  });

  it('bounds the number of arguments read', () => {
    const many = args(...Array.from({ length: 5000 }, () => '--profiling'));
    const parsed = parseFlags(many, apiserver);
    assert.equal(parsed.occurrences.length, 4096);
    assert.match(parsed.problems[0]!.message, /more than 4096 arguments/);
  });
});
