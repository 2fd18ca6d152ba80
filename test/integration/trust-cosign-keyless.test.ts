// Keyless interoperability with the real cosign (scripts/setup-cosign.sh): cosign and Bulwark both get
// certificates from the same stand-in Fulcio CA and record signatures in the same stand-in Rekor log
// (src/trust/testing, on 127.0.0.1: no network), in the bundle and the classic layouts; each verifies
// what the other signed with the same trusted root, identity and issuer. Also: classic signatures that
// cosign makes with a certificate from `bulwark ca` offline, checked for identity and OIDC issuer.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStandInFulcio, type StandInFulcio } from '../../src/trust/testing/fulcio.ts';
import { pushImage } from '../../src/trust/testing/images.ts';
import { startStandInRekor, type StandInRekor } from '../../src/trust/testing/rekor.ts';
import { registryMissing, startRegistry, type TestRegistry } from '../support/registry.ts';
import { runProcess } from '../support/process.ts';
import { repoRoot } from '../support/shared.ts';

const toolsDir = process.env.BULWARK_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bulwark', 'tools');
const cosignPath = join(toolsDir, 'bin', 'cosign');
const missing = !existsSync(cosignPath) ? `cosign not built at ${cosignPath}; run scripts/setup-cosign.sh (needs Go)` : registryMissing();

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const env: NodeJS.ProcessEnv = { ...process.env, COSIGN_PASSWORD: 'pw', BULWARK_PASSPHRASE: 'pw', BULWARK_CA_PASSPHRASE: 'ca-pw', NO_COLOR: '1', TUF_ROOT: join(tmpdir(), 'bulwark-cosign-tuf'), SIGSTORE_NO_CACHE: 'true' };
delete env.SIGSTORE_ID_TOKEN;

/** Asynchronous: the stand-in CA and log answer from this process. */
function run(command: string, args: string[], cwd: string, extra: Record<string, string> = {}): Promise<Run> {
  return runProcess(command, args, { cwd, env: { ...env, ...extra }, timeoutMs: 180_000 });
}

const bulwark = (args: string[], cwd: string, extra?: Record<string, string>) => run(process.execPath, [join(repoRoot, 'bin', 'bulwark.js'), ...args], cwd, extra);
const cosign = (args: string[], cwd: string) => run(cosignPath, args, cwd);

function ok(result: Run, what: string): void {
  assert.equal(result.status, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
}

describe('keyless interoperability with cosign', () => {
  let registry: TestRegistry;
  let fulcio: StandInFulcio;
  let rekor: StandInRekor;
  let dir: string;
  let identity: string[];
  before(async () => {
    if (missing) return;
    registry = await startRegistry();
    fulcio = await startStandInFulcio();
    rekor = await startStandInRekor();
    dir = mkdtempSync(join(tmpdir(), 'bulwark-cosign-keyless-'));
    writeFileSync(join(dir, 'root.json'), fulcio.trustedRoot((JSON.parse(rekor.trustedRoot) as { tlogs: unknown[] }).tlogs));
    const start = new Date(Date.now() - 3_600_000).toISOString();
    const service = (url: string) => ({ url, majorApiVersion: 1, validFor: { start }, operator: 'bulwark-test' });
    // cosign's signing config: which CA and log to use (its --fulcio-url/--rekor-url flags are deprecated).
    writeFileSync(
      join(dir, 'signing-config.json'),
      JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json', caUrls: [service(fulcio.url)], oidcUrls: [], rekorTlogUrls: [service(rekor.url)], tsaUrls: [], rekorTlogConfig: { selector: 'ANY' }, tsaConfig: { selector: 'ANY' } }),
    );
    identity = ['--certificate-identity', 'ci@example.com', '--certificate-oidc-issuer', fulcio.issuer];
  });
  after(async () => {
    await registry?.stop();
    await fulcio?.stop();
    await rekor?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** cosign reads the token from a file when given a path. */
  const tokenFile = (name: string): string => {
    writeFileSync(join(dir, name), fulcio.issueToken({ email: 'ci@example.com' }), { mode: 0o600 });
    return name;
  };

  it('cosign signs keyless (bundle and classic layouts) → Bulwark verifies both with the trusted root', async (t) => {
    if (missing) return t.skip(missing);
    const image = await pushImage(registry.host, 'keyless-interop/cosign', 'v1');
    ok(await cosign(['sign', '--signing-config', 'signing-config.json', '--trusted-root', 'root.json', '--identity-token', tokenFile('t1'), '--yes', image.byDigest], dir), 'cosign sign (bundle)');
    // The classic layout is only written by cosign's legacy signing path.
    ok(
      await cosign(['sign', '--use-signing-config=false', '--fulcio-url', fulcio.url, '--rekor-url', rekor.url, '--trusted-root', 'root.json', '--identity-token', tokenFile('t2'), '--new-bundle-format=false', '--yes', image.byDigest], dir),
      'cosign sign (classic)',
    );
    assert.equal(rekor.entries >= 2, true);
    const verified = await bulwark(['verify', 'image', image.reference, '--trusted-root', 'root.json', ...identity], dir);
    ok(verified, 'bulwark verify');
    assert.match(verified.stdout, /signature {4}cosign-classic {2}ci@example\.com \(issuer [^)]+\) \[transparency log verified\]/);
    assert.match(verified.stdout, /signature {4}sigstore-bundle ci@example\.com \(issuer [^)]+\) \[transparency log verified\]/);
    const wrongIssuer = await bulwark(['verify', 'image', image.reference, '--trusted-root', 'root.json', '--certificate-identity', 'ci@example.com', '--certificate-oidc-issuer', 'https://token.actions.githubusercontent.com'], dir);
    assert.equal(wrongIssuer.status, 1);
    assert.match(wrongIssuer.stdout, /identity-mismatch/);
  });

  it('Bulwark signs keyless (both layouts) → cosign verify passes in each layout', async (t) => {
    if (missing) return t.skip(missing);
    const image = await pushImage(registry.host, 'keyless-interop/bulwark', 'v1');
    ok(await bulwark(['sign', 'image', image.reference, '--fulcio-url', fulcio.url, '--rekor-url', rekor.url], dir, { SIGSTORE_ID_TOKEN: fulcio.issueToken({ email: 'ci@example.com' }) }), 'bulwark keyless sign');
    ok(await cosign(['verify', '--trusted-root', 'root.json', ...identity, image.byDigest], dir), 'cosign verify (bundle)');
    ok(await cosign(['verify', '--trusted-root', 'root.json', ...identity, '--new-bundle-format=false', image.byDigest], dir), 'cosign verify (classic)');
    const otherIdentity = await cosign(['verify', '--trusted-root', 'root.json', '--certificate-identity', 'release@example.com', '--certificate-oidc-issuer', fulcio.issuer, image.byDigest], dir);
    assert.notEqual(otherIdentity.status, 0, 'cosign rejects another identity too');
  });

  it("cosign's offline classic signature with a `bulwark ca` certificate: identity and OIDC issuer checked", async (t) => {
    if (missing) return t.skip(missing);
    ok(await bulwark(['key', 'generate', '-o', 'signer'], dir), 'key generate');
    ok(await bulwark(['ca', 'init', '--dir', 'ca'], dir), 'ca init');
    ok(await bulwark(['ca', 'issue', '--dir', 'ca', '--identity', 'release@example.com', '--oidc-issuer', 'https://idp.example.com', '--public-key', 'signer.pub', '-o', 'release.crt'], dir), 'ca issue');
    const image = await pushImage(registry.host, 'keyless-interop/certified', 'v1');
    ok(
      await cosign(['sign', '--key', 'signer.key', '--certificate', 'release.crt', '--certificate-chain', 'ca/chain.pem', '--new-bundle-format=false', '--use-signing-config=false', '--tlog-upload=false', '--yes', image.byDigest], dir),
      'cosign sign --certificate (classic, offline)',
    );
    const ca = ['--ca-roots', 'ca/root.crt', '--certificate-identity', 'release@example.com'];
    const verified = await bulwark(['verify', 'image', image.reference, ...ca, '--certificate-oidc-issuer', 'https://idp.example.com'], dir);
    ok(verified, 'bulwark verify --certificate-oidc-issuer');
    assert.match(verified.stdout, /cosign-classic {2}release@example\.com \(issuer https:\/\/idp\.example\.com\)/);
    const byRegexp = await bulwark(['verify', 'image', image.reference, '--ca-roots', 'ca/root.crt', '--certificate-identity-regexp', '@example\\.com$', '--certificate-oidc-issuer-regexp', '^https://idp\\.'], dir);
    ok(byRegexp, 'bulwark verify with regular expressions');
    const wrongIssuer = await bulwark(['verify', 'image', image.reference, ...ca, '--certificate-oidc-issuer', 'https://other.example.com'], dir);
    assert.equal(wrongIssuer.status, 1);
    assert.match(wrongIssuer.stdout, /identity-mismatch/);
    const wrongIdentity = await bulwark(['verify', 'image', image.reference, '--ca-roots', 'ca/root.crt', '--certificate-identity', 'ci@example.com'], dir);
    assert.equal(wrongIdentity.status, 1);
  });
});
