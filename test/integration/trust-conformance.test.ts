// The Sigstore conformance bundle-verification cases (sigstore/sigstore-conformance, test/assets),
// run with the protocol's flags: every case must give its expected verdict. Cases that carry their own
// trusted_root.json or key.pub are self-contained; the others need the public-good trusted root, taken
// from the TUF seed the Sigstore client ships with (offline).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseBundle, readBoundedFile, verifyBlob } from '../../src/trust/index.ts';
import { authoritiesFromFlags, type TrustFlags } from '../../src/trust/verify/flags.ts';
import { missingShared, repoRoot, sharedPath } from '../support/shared.ts';

// The identity the conformance suite signs its cases with, passed by its harness unless a case says otherwise.
const DEFAULT_IDENTITY = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

interface Case {
  dir: string;
  name: string;
  expected: 'pass' | 'fail';
  selfContained: boolean;
}

function loadCases(): Case[] {
  const rows = readFileSync(sharedPath('conformance', 'sigstore', 'cases.tsv'), 'utf8').trim().split('\n').slice(1);
  return rows.map((row) => {
    const [name, expected] = row.split('\t') as [string, 'pass' | 'fail'];
    const dir = sharedPath('conformance', 'sigstore', 'bundle-verify', name);
    return { dir, name, expected, selfContained: existsSync(join(dir, 'trusted_root.json')) || existsSync(join(dir, 'key.pub')) };
  });
}

/** The flags the conformance harness passes for a case. */
function flagsFor(testCase: Case): { flags: TrustFlags; artifact: string } {
  const file = (name: string) => join(testCase.dir, name);
  const flags: TrustFlags = {
    certIdentity: existsSync(file('identity')) ? readFileSync(file('identity'), 'utf8').trim() : DEFAULT_IDENTITY,
    certOidcIssuer: existsSync(file('issuer')) ? readFileSync(file('issuer'), 'utf8').trim() : DEFAULT_ISSUER,
    trustedRoot: existsSync(file('trusted_root.json')) ? file('trusted_root.json') : 'public-good',
  };
  if (existsSync(file('key.pub'))) flags.key = [file('key.pub')];
  const artifact = existsSync(file('artifact')) ? file('artifact') : sharedPath('conformance', 'sigstore', 'a.txt');
  return { flags, artifact };
}

async function verdict(testCase: Case): Promise<{ verdict: 'pass' | 'fail'; why: string }> {
  const { flags, artifact } = flagsFor(testCase);
  try {
    const authorities = await authoritiesFromFlags(flags);
    const parsed = parseBundle(await readBoundedFile(join(testCase.dir, 'bundle.sigstore.json'), 'bundle'), testCase.name);
    const result = verifyBlob(await readBoundedFile(artifact, 'artifact'), parsed, authorities);
    return { verdict: result.verified ? 'pass' : 'fail', why: result.reason === undefined ? 'verified' : `${result.reason.code}: ${result.reason.message}` };
  } catch (error) {
    return { verdict: 'fail', why: `input error: ${(error as Error).message}` };
  }
}

describe('Sigstore conformance: bundle verification', () => {
  const missing = missingShared('conformance', 'sigstore', 'cases.tsv');
  if (missing) {
    it('needs the conformance data', (t) => t.skip(missing));
    return;
  }
  const cases = loadCases();

  it('has the cases the index lists', () => {
    assert.ok(cases.length >= 30);
    assert.ok(cases.filter((testCase) => testCase.selfContained).length >= 15);
  });

  for (const testCase of cases) {
    it(`${testCase.selfContained ? '' : '[public-good root] '}${testCase.name} → ${testCase.expected}`, async () => {
      const outcome = await verdict(testCase);
      assert.equal(outcome.verdict, testCase.expected, outcome.why);
    });
  }

  it('gives the verdicts through the CLI too, with exit codes 0 and 1', () => {
    const run = (name: string) => {
      const testCase = cases.find((candidate) => candidate.name === name)!;
      const { flags, artifact } = flagsFor(testCase);
      const args = ['verify', 'blob', artifact, '--bundle', join(testCase.dir, 'bundle.sigstore.json'), '--certificate-identity', flags.certIdentity!, '--certificate-oidc-issuer', flags.certOidcIssuer!, '--trusted-root', flags.trustedRoot!];
      return spawnSync(process.execPath, [join(repoRoot, 'bin', 'bulwark.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
    };
    const pass = run('intoto-with-custom-trust-root');
    assert.equal(pass.status, 0, pass.stderr + pass.stdout);
    assert.match(pass.stdout, /^verified .* attestation https:\/\/slsa\.dev\/provenance\/v1 signed by https:\/\/github\.com\/sigstore-conformance\/.* \[transparency log verified\]/);
    const fail = run('intoto-log-entry-mismatch_fail');
    assert.equal(fail.status, 1, fail.stderr + fail.stdout);
    assert.match(fail.stdout, /^FAILED .*: transparency-log: /);
  });
});
