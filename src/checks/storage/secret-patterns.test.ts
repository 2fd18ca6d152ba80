import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { classifySecret, isSecretName, MAX_ARGUMENTS, MAX_SCANNED_LENGTH, nameWords, scanArguments, scanConfigText, secretValueKind } from './secret-patterns.ts';

describe('secret names', () => {
  it('split into words across styles', () => {
    assert.deepEqual(nameWords('spring.datasource.password'), ['SPRING', 'DATASOURCE', 'PASSWORD']);
    assert.deepEqual(nameWords('apiKey'), ['API', 'KEY']);
    assert.deepEqual(nameWords('AWS_SECRET_ACCESS_KEY'), ['AWS', 'SECRET', 'ACCESS', 'KEY']);
  });

  it('recognise credentials and not what describes them', () => {
    for (const name of ['DB_PASSWORD', 'password', 'apiKey', 'API_KEY', 'GITHUB_TOKEN', 'client_secret', 'AWS_SECRET_ACCESS_KEY', 'db.pass', 'PRIVATE_KEY', 'connectionString']) {
      assert.ok(isSecretName(name), name);
    }
    for (const name of ['LOG_LEVEL', 'PASSWORD_FILE', 'TOKEN_TTL', 'SECRET_NAME', 'API_KEY_HEADER', 'CACHE_KEY', 'TOKENIZER_MODEL', 'password_min_length', 'AWS_ACCESS_KEY_ID', 'KEYCLOAK_URL']) {
      assert.ok(!isSecretName(name), name);
    }
  });
});

describe('secret values', () => {
  const tokens: [string, RegExp][] = [
    ['AKIAIOSFODNN7EXAMPLE', /AWS access key/],
    [`ghp_${'A1b2'.repeat(9)}`, /GitHub/],
    [`github_pat_${'a'.repeat(82)}`, /GitHub/],
    [`glpat-${'x'.repeat(20)}`, /GitLab/],
    ['xoxb-1234567890-abcdefghij', /Slack token/],
    ['https://hooks.slack.com/services/T0000/B0000/XXXXXXXX', /Slack webhook/],
    [`AIza${'0'.repeat(35)}`, /Google API key/],
    [`sk_live_${'0'.repeat(24)}`, /Stripe/],
    [`npm_${'a'.repeat(36)}`, /npm/],
    ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaA==\n-----END OPENSSH PRIVATE KEY-----', /private key/],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', /JSON Web Token/],
    ['postgres://app:s3cr3t-pw@db:5432/app', /password inside a URL/],
  ];
  for (const [value, kind] of tokens) it(`finds ${kind.source}`, () => assert.match(secretValueKind(value) ?? '', kind));

  it('finds literals under credential names, and skips references and placeholders', () => {
    assert.match(classifySecret('DB_PASSWORD', 'hunter22')!.kind, /password/);
    assert.match(classifySecret('apiKey', 'k-123-abc')!.kind, /key/);
    for (const value of ['', '   ', '$(DB_PASSWORD)', '${DB_PASSWORD}', '{{ .Values.password }}', '<password>', 'changeme', 'CHANGEME', 'xxxxxxxx', '********', '/run/secrets/db', 'true', '3600', 'https://vault.example.com/v1/secret', 'two words']) {
      assert.equal(classifySecret('DB_PASSWORD', value), undefined, JSON.stringify(value));
    }
    assert.equal(classifySecret('postgres_url', 'postgres://app:${DB_PASSWORD}@db/app'), undefined);
    assert.equal(classifySecret('LOG_LEVEL', 'hunter22'), undefined);
  });

  it('finds credentials in configuration files line by line', () => {
    const text = ['server:', '  port: 8080', 'database:', '  url: jdbc:postgresql://db/app', '  password: "n0t-a-placeholder",', ''].join('\n');
    assert.deepEqual(scanConfigText('application.yaml', text), { kind: 'a literal password', line: 5, key: 'password' });
    assert.equal(scanConfigText('app.properties', 'spring.datasource.password=${DB_PASSWORD}\nserver.port=8080\n'), undefined);
    assert.deepEqual(scanConfigText('env', 'export API_TOKEN=abcd1234efgh\n'), { kind: 'a literal token', line: 1, key: 'API_TOKEN' });
  });

  it('never throws, and stays bounded in time, on any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 400 }), (name, value) => {
        classifySecret(name, value);
        scanConfigText(name, value);
      }),
      { numRuns: 2000 },
    );
    const adversarial = [
      `eyJ${'a'.repeat(MAX_SCANNED_LENGTH)}`,
      'eyJaaaaaaaaaa.'.repeat(MAX_SCANNED_LENGTH / 14),
      `a://${'b'.repeat(200)}:`.repeat(400),
      `password:${' '.repeat(MAX_SCANNED_LENGTH)}x`,
      `${'a\n'.repeat(MAX_SCANNED_LENGTH / 2)}`,
      `ghp_${'a'.repeat(MAX_SCANNED_LENGTH)}`,
    ];
    for (const text of adversarial) {
      const started = performance.now();
      scanConfigText('config', text);
      classifySecret('TOKEN', text);
      assert.ok(performance.now() - started < 500, `${JSON.stringify(text.slice(0, 20))}… took ${performance.now() - started} ms`);
    }
  });
});

describe('credentials on command lines', () => {
  const kinds = (argv: unknown[]) => scanArguments(argv).map((match) => [match.index, match.kind, match.flag ?? null, match.length]);

  it('finds flags with credential names and literal values, in every form', () => {
    assert.deepEqual(kinds(['--db-password=s3cr3t-Pa55']), [[0, 'a literal password', '--db-password', 11]]);
    assert.deepEqual(kinds(['--api-key', 'abcd1234efgh']), [[1, 'a literal key', '--api-key', 12]]);
    assert.deepEqual(kinds(['-token=abcd1234efgh']), [[0, 'a literal token', '-token', 12]]);
    assert.deepEqual(kinds(['sh', '-c', 'mysql --password "hunter22" app']), [[2, 'a literal password', '--password', 8]]);
    assert.deepEqual(kinds(['sh', '-c', 'PGPASSWORD=hunter22 psql; echo done']), [[2, 'a literal password', 'PGPASSWORD', 8]]);
    assert.deepEqual(kinds(['deploy', 'ghp_' + 'a1B2'.repeat(9)]), [[1, 'a GitHub token', null, 40]]);
  });

  it('skips expansions, placeholders, files and flags that describe a secret', () => {
    for (const argv of [
      ['--password=$(DB_PASSWORD)'],
      ['sh', '-c', 'app --token "$TOKEN" --password=${PASSWORD}'],
      ['--password', 'changeme'],
      ['--token-file', '/run/secrets/token'],
      ['--secret-name', 'db-credentials'],
      ['--password-stdin', 'registry.example.com'],
      ['--password', '--verbose'],
      ['--use-service-account-credentials=true'],
    ]) {
      assert.deepEqual(kinds(argv), [], JSON.stringify(argv));
    }
  });

  it('never throws, reports at most one match per argument, and stays bounded', () => {
    const word = fc.oneof(fc.constantFrom('--password', '--token=', 'PASSWORD=', '-', '$(', 'AKIAIOSFODNN7EXAMPLE', ' ', '"'), fc.string({ maxLength: 20 }));
    const argument = fc.oneof(fc.array(word, { maxLength: 6 }).map((parts) => parts.join('')), fc.integer(), fc.constant(null));
    fc.assert(
      fc.property(fc.array(argument, { maxLength: 12 }), (argv) => {
        const matches = scanArguments(argv);
        const indexes = matches.map((match) => match.index);
        assert.equal(new Set(indexes).size, indexes.length);
        for (const match of matches) assert.ok(match.index < argv.length && typeof argv[match.index] === 'string' && match.length > 0);
      }),
      { numRuns: 1000 },
    );
    const started = performance.now();
    scanArguments(Array.from({ length: MAX_ARGUMENTS * 4 }, () => `--password ${'x '.repeat(MAX_SCANNED_LENGTH / 2)}`));
    scanArguments(Array.from({ length: MAX_ARGUMENTS * 4 }, () => `eyJ${'a'.repeat(MAX_SCANNED_LENGTH)}`));
    assert.ok(performance.now() - started < 500, `took ${performance.now() - started} ms`);
  });
});
