// Keyless classic signatures carry the CA's chain (cosign's `dev.sigstore.cosign/chain` annotation), and
// keep it through a skopeo mirror. The CA and the log are the in-process stand-ins (src/trust/testing,
// Fulcio's v2 API: the answer's `chain.certificates` is leaf, intermediate, root); the registry, skopeo
// and cosign are the real ones:
//  - Bulwark signs keyless → the classic layer holds the leaf and, above it, the intermediate and root;
//  - given only the CA's root (`--ca-roots`), Bulwark builds the path through the shipped intermediate,
//    and refuses once the chain annotation is removed;
//  - cosign verifies the signature (trusted root, and root-only `--ca-roots`), before and after skopeo
//    mirrors it; Bulwark verifies the mirror.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/image/registry/client.ts';
import { MEDIA } from '../../src/image/registry/referrers.ts';
import { ANNOTATION, buildClassicManifest, parseClassicManifest, signatureTag } from '../../src/trust/layouts/cosign-classic.ts';
import { startStandInFulcio, type StandInFulcio } from '../../src/trust/testing/fulcio.ts';
import { pushImage, type PushedImage } from '../../src/trust/testing/images.ts';
import { startStandInRekor, type StandInRekor } from '../../src/trust/testing/rekor.ts';
import { parseCertificatesPem } from '../../src/trust/x509/certificate.ts';
import { registryMissing, startRegistry, type TestRegistry } from '../support/registry.ts';
import { runProcess } from '../support/process.ts';
import { repoRoot } from '../support/shared.ts';
import { createSkopeoSandbox, skopeoMissing, type SkopeoRun, type SkopeoSandbox } from '../support/skopeo.ts';

const toolsDir = process.env.BULWARK_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bulwark', 'tools');
const cosignPath = join(toolsDir, 'bin', 'cosign');
const cosignMissing = existsSync(cosignPath) ? false : `cosign not built at ${cosignPath}; run scripts/setup-cosign.sh (needs Go)`;
const missing = registryMissing();

const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TUF_ROOT: join(tmpdir(), 'bulwark-cosign-tuf'), SIGSTORE_NO_CACHE: 'true' };
delete env.SIGSTORE_ID_TOKEN;

/** Asynchronous: the stand-in CA and log answer from this process. */
function run(command: string, args: string[], cwd: string, extra: Record<string, string> = {}): Promise<SkopeoRun> {
  return runProcess(command, args, { cwd, env: { ...env, ...extra } });
}

const bulwark = (args: string[], cwd: string, extra?: Record<string, string>) => run(process.execPath, [join(repoRoot, 'bin', 'bulwark.js'), ...args], cwd, extra);
const cosign = (args: string[], cwd: string) => run(cosignPath, args, cwd);

function ok(result: SkopeoRun, what: string): void {
  assert.equal(result.status, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
}

const normalize = (pem: string): string[] => parseCertificatesPem(pem, 'pem').map((cert) => cert.fingerprint);

describe('keyless classic signatures carry the CA chain', () => {
  let registry: TestRegistry;
  let fulcio: StandInFulcio;
  let rekor: StandInRekor;
  let client: RegistryClient;
  let dir: string;
  let image: PushedImage;
  let trusted: string[];
  before(async () => {
    if (missing) return;
    registry = await startRegistry();
    fulcio = await startStandInFulcio();
    rekor = await startStandInRekor();
    client = new RegistryClient({ host: registry.host, plainHttpLoopback: true });
    dir = mkdtempSync(join(tmpdir(), 'bulwark-keyless-chain-'));
    writeFileSync(join(dir, 'root.json'), fulcio.trustedRoot((JSON.parse(rekor.trustedRoot) as { tlogs: unknown[] }).tlogs));
    writeFileSync(join(dir, 'fulcio-root.pem'), fulcio.rootPem);
    trusted = ['--trusted-root', 'root.json', '--certificate-identity', 'ci@example.com', '--certificate-oidc-issuer', fulcio.issuer];
    image = await signKeyless('keyless-chain/app');
  });
  after(async () => {
    client?.close();
    await registry?.stop();
    await fulcio?.stop();
    await rekor?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A new image, signed keyless in the classic layout only. */
  const signKeyless = async (repository: string): Promise<PushedImage> => {
    const pushed = await pushImage(registry.host, repository, 'v1');
    const token = { SIGSTORE_ID_TOKEN: fulcio.issueToken({ email: 'ci@example.com' }) };
    ok(await bulwark(['sign', 'image', pushed.reference, '--fulcio-url', fulcio.url, '--rekor-url', rekor.url, '--layout', 'classic'], dir, token), 'bulwark keyless sign');
    return pushed;
  };

  /** Rewrites an image's signature manifest without the chain annotation. */
  const stripChain = async (pushed: PushedImage): Promise<void> => {
    const tag = signatureTag(pushed.digest);
    const [layer] = parseClassicManifest((await client.findManifest(pushed.repository, tag))!.bytes, 'signature manifest');
    const stripped = { ...layer!.annotations };
    delete stripped[ANNOTATION.chain];
    const { manifest, config } = buildClassicManifest([{ descriptor: { ...layer!, annotations: stripped } }]);
    await client.putBlob(pushed.repository, config);
    await client.putManifest(pushed.repository, tag, MEDIA.ociManifest, manifest);
  };

  const classicLayer = async (repository: string) => {
    const manifest = await client.findManifest(repository, signatureTag(image.digest));
    assert.ok(manifest, 'no signature manifest');
    const [layer] = parseClassicManifest(manifest.bytes, 'signature manifest');
    return layer!;
  };

  it("the classic layer holds the leaf, and the CA's intermediate and root in the chain annotation", async (t) => {
    if (missing) return t.skip(missing);
    const annotations = (await classicLayer('keyless-chain/app')).annotations ?? {};
    const [leaf] = parseCertificatesPem(annotations[ANNOTATION.certificate] ?? '', 'certificate annotation');
    const chain = parseCertificatesPem(annotations[ANNOTATION.chain] ?? '', 'chain annotation');
    assert.deepEqual(chain.map((cert) => cert.fingerprint), normalize(fulcio.chainPem), 'intermediate then root, as the CA sent them');
    assert.ok(leaf!.issuerDer.equals(chain[0]!.subjectDer), 'the chain starts at the leaf issuer');
    assert.deepEqual(leaf!.emails, ['ci@example.com']);
    assert.ok(annotations[ANNOTATION.bundle], 'the log entry is there too');
    ok(await bulwark(['verify', 'image', image.reference, ...trusted], dir), 'bulwark verify --trusted-root');
  });

  it('given only the root, Bulwark builds the path through the shipped intermediate; without the chain annotation it cannot', async (t) => {
    if (missing) return t.skip(missing);
    const rootOnly = ['--ca-roots', 'fulcio-root.pem', '--certificate-identity', 'ci@example.com', '--certificate-oidc-issuer', fulcio.issuer];
    const own = await signKeyless('keyless-chain/stripped');
    const verified = await bulwark(['verify', 'image', own.reference, ...rootOnly], dir);
    ok(verified, 'bulwark verify --ca-roots (root only)');
    assert.match(verified.stdout, /cosign-classic {2}ci@example\.com/);
    await stripChain(own);
    const withoutChain = await bulwark(['verify', 'image', own.reference, ...rootOnly, '--format', 'json'], dir);
    assert.equal(withoutChain.status, 1, withoutChain.stdout);
    const report = JSON.parse(withoutChain.stdout) as { images: Array<{ rejected: Array<{ failure: { code: string } }> }> };
    assert.deepEqual(report.images[0]!.rejected.map((r) => r.failure.code), ['certificate-chain']);
  });

  it('cosign verifies the signature with the trusted root, and with the root alone (taking the intermediate from the chain annotation)', async (t) => {
    if (missing) return t.skip(missing);
    if (cosignMissing) return t.skip(cosignMissing);
    ok(await cosign(['verify', ...trusted, '--new-bundle-format=false', image.byDigest], dir), 'cosign verify --trusted-root');
    const rootOnly = (reference: string) =>
      cosign(['verify', '--ca-roots', 'fulcio-root.pem', '--certificate-identity', 'ci@example.com', '--certificate-oidc-issuer', fulcio.issuer, '--insecure-ignore-tlog', '--insecure-ignore-sct', '--new-bundle-format=false', reference], dir);
    ok(await rootOnly(image.byDigest), 'cosign verify --ca-roots (root only)');
    // cosign, too, finds no path from the leaf to the root once the chain annotation is gone.
    const stripped = await signKeyless('keyless-chain/cosign-stripped');
    await stripChain(stripped);
    const withoutChain = await rootOnly(stripped.byDigest);
    assert.notEqual(withoutChain.status, 0, 'cosign verified without the intermediate');
    assert.match(withoutChain.stderr, /unknown authority/);
  });

  it('skopeo mirrors the signature with its certificate, chain and log entry: Bulwark and cosign verify the mirror', async (t) => {
    if (missing) return t.skip(missing);
    const noSkopeo = skopeoMissing();
    if (noSkopeo) return t.skip(noSkopeo);
    let skopeo: SkopeoSandbox | undefined;
    try {
      skopeo = await createSkopeoSandbox();
      const mirror = `${registry.host}/keyless-chain/mirror:v1`;
      ok(await skopeo.copy(`docker://${image.reference}`, `docker://${mirror}`), 'skopeo copy (mirror)');
      const original = (await classicLayer('keyless-chain/app')).annotations ?? {};
      const mirrored = (await classicLayer('keyless-chain/mirror')).annotations ?? {};
      for (const name of [ANNOTATION.signature, ANNOTATION.certificate, ANNOTATION.chain, ANNOTATION.bundle]) {
        assert.equal(mirrored[name], original[name], `${name} is carried unchanged`);
      }
      ok(await bulwark(['verify', 'image', mirror, ...trusted], dir), 'bulwark verify (mirror)');
      if (cosignMissing) return t.diagnostic(`cosign part not run: ${cosignMissing}`);
      ok(await cosign(['verify', ...trusted, '--new-bundle-format=false', `${registry.host}/keyless-chain/mirror@${image.digest}`], dir), 'cosign verify (mirror)');
    } finally {
      skopeo?.close();
    }
  });
});
