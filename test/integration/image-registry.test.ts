// `bulwark image` against a real registry (Debian's docker-registry, started by test/support/registry.ts):
// anonymous, basic (htpasswd) and bearer-token authentication, credentials from the Docker config and
// from a credential helper, TLS with a custom CA, plain HTTP only for named hosts, multi-platform
// indexes, and what happens when things are wrong.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BulwarkError } from '../../src/core/index.ts';
import { parseImageReference } from '../../src/image/reference.ts';
import { scanImage, type ImageScanOptions } from '../../src/image/scan.ts';
import { buildImage, buildIndex, pushImage, tarOf, type BuiltImage } from '../support/oci.ts';
import { registryMissing, startRegistry, type TestRegistry } from '../support/registry.ts';

const missing = registryMissing();
const work = mkdtempSync(join(tmpdir(), 'bulwark-image-registry-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function smallImage(architecture = 'amd64', marker = 'x'): Promise<BuiltImage> {
  const layer = await tarOf([
    { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' },
    { name: 'lib/apk/db/installed', content: `P:musl\nV:1.2.4-r2\nA:${architecture}\no:musl\nL:MIT\n\nP:${marker}\nV:1.0-r0\nA:${architecture}\no:${marker}\n` },
  ]);
  return buildImage({ layers: [layer], architecture, config: { User: '1000' } });
}

/** An environment whose Docker config (and PATH, for helpers) lives in the test's directory. */
function dockerEnv(name: string, config: object, helpers: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dir = join(work, name);
  const bin = join(dir, 'bin');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(bin, { recursive: true });
  for (const [helper, script] of Object.entries(helpers)) {
    const path = join(bin, `docker-credential-${helper}`);
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return { DOCKER_CONFIG: dir, PATH: `${bin}:/usr/bin:/bin`, HOME: dir };
}

const packagesOf = (result: Awaited<ReturnType<typeof scanImage>>) => result.packages.map((p) => `${p.name}@${p.version}`);

describe('image scan from a real registry', { skip: missing }, () => {
  let open: TestRegistry;
  let image: BuiltImage;
  before(async () => {
    open = await startRegistry();
    image = await smallImage();
    await pushImage(open, 'team/app', 'v1', image);
  });
  after(async () => open?.stop());

  const scan = (reference: string, extra: Partial<ImageScanOptions> = {}) =>
    scanImage({ location: { kind: 'registry', reference: parseImageReference(reference) }, ...extra, access: { insecureHosts: [open.host], env: dockerEnv('none', {}), ...extra.access } });

  it('anonymous pull over plain HTTP of a host named as insecure; digests recorded', async () => {
    const result = await scan(`${open.host}/team/app:v1`);
    assert.deepEqual(packagesOf(result), ['musl@1.2.4-r2', 'x@1.0-r0']);
    assert.equal(result.image.manifestDigest, image.manifestDigest);
    assert.deepEqual(result.image.layers.map((l) => l.digest), image.layerDigests);
    assert.equal(result.packages[0]!.purl, 'pkg:apk/alpine/musl@1.2.4-r2?arch=amd64&distro=alpine-3.19.1');
    const byDigest = await scan(`${open.host}/team/app@${image.manifestDigest}`);
    assert.deepEqual(packagesOf(byDigest), packagesOf(result));
  });

  it('refuses plain HTTP to a host that was not named', async () => {
    await assert.rejects(
      scanImage({ location: { kind: 'registry', reference: parseImageReference(`${open.host}/team/app:v1`) }, access: { env: dockerEnv('none2', {}) } }),
      (e: unknown) => e instanceof BulwarkError && e.code === 'E_IO' && /insecure-registry/.test(e.message),
    );
  });

  it('names a missing tag clearly', async () => {
    await assert.rejects(scan(`${open.host}/team/app:nope`), (e: unknown) => e instanceof BulwarkError && /manifest not found/.test(e.message));
  });

  it('picks the requested platform from a multi-platform index', async () => {
    const amd = await smallImage('amd64', 'only-amd64');
    const arm = await smallImage('arm64', 'only-arm64');
    const index = buildIndex([
      { image: amd, platform: { os: 'linux', architecture: 'amd64' } },
      { image: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ]);
    await pushImage(open, 'team/multi', 'v1', amd, { index, others: [arm] });
    const onArm = await scan(`${open.host}/team/multi:v1`, { platform: { os: 'linux', architecture: 'arm64' } });
    assert.ok(packagesOf(onArm).includes('only-arm64@1.0-r0'));
    assert.equal(onArm.image.indexDigest, index.digest);
    assert.equal(onArm.image.platform, 'linux/arm64');
    await assert.rejects(scan(`${open.host}/team/multi:v1`, { platform: { os: 'linux', architecture: 's390x' } }), /linux\/amd64, linux\/arm64\/v8/);
  });
});

describe('registry authentication', { skip: missing }, () => {
  let basic: TestRegistry;
  let token: TestRegistry;
  let tls: TestRegistry;
  before(async () => {
    [basic, token, tls] = await Promise.all([startRegistry({ auth: 'basic' }), startRegistry({ auth: 'token' }), startRegistry({ auth: 'basic', tls: true })]);
    const image = await smallImage();
    await Promise.all([pushImage(basic, 'private/app', 'v1', image), pushImage(token, 'private/app', 'v1', image), pushImage(tls, 'private/app', 'v1', image)]);
  });
  after(async () => Promise.all([basic?.stop(), token?.stop(), tls?.stop()]));

  const scanFrom = (registry: TestRegistry, access: ImageScanOptions['access']) =>
    scanImage({ location: { kind: 'registry', reference: parseImageReference(`${registry.host}/private/app:v1`) }, access: { insecureHosts: registry.url.startsWith('http:') ? [registry.host] : [], ...access } });

  it('basic auth: without credentials the error says how to log in', async () => {
    await assert.rejects(scanFrom(basic, { env: dockerEnv('empty', {}) }), (e: unknown) => e instanceof BulwarkError && /docker login|--username/.test(e.message));
  });

  it('basic auth: credentials from --username/--password-stdin, and wrong ones refused', async () => {
    const result = await scanFrom(basic, { credentials: { kind: 'basic', username: basic.username, password: basic.password }, env: dockerEnv('empty2', {}) });
    assert.equal(result.packages.length, 2);
    await assert.rejects(scanFrom(basic, { credentials: { kind: 'basic', username: basic.username, password: 'wrong' }, env: dockerEnv('empty3', {}) }), /access denied/);
  });

  it('basic auth: credentials from ~/.docker/config.json auths', async () => {
    const env = dockerEnv('auths', { auths: { [basic.host]: { auth: Buffer.from(`${basic.username}:${basic.password}`).toString('base64') } } });
    assert.equal((await scanFrom(basic, { env })).packages.length, 2);
  });

  it('basic auth: credentials from a credential helper (spawned without a shell)', async () => {
    const env = dockerEnv('helper', { credHelpers: { [basic.host]: 'bulwarktest' } }, { bulwarktest: `read host\n[ "$host" = "${basic.host}" ] || exit 1\necho '{"Username":"${basic.username}","Secret":"${basic.password}"}'` });
    assert.equal((await scanFrom(basic, { env })).packages.length, 2);
  });

  it('bearer token auth: the token service is asked with the credentials and the pull scope', async () => {
    const result = await scanFrom(token, { credentials: { kind: 'basic', username: token.username, password: token.password }, env: dockerEnv('t', {}) });
    assert.equal(result.packages.length, 2);
    await assert.rejects(scanFrom(token, { credentials: { kind: 'basic', username: token.username, password: 'wrong' }, env: dockerEnv('t2', {}) }), /token service .* refused/);
  });

  it('TLS: untrusted without the CA, trusted with --ca-file', async () => {
    const credentials = { kind: 'basic' as const, username: tls.username, password: tls.password };
    await assert.rejects(scanFrom(tls, { credentials, env: dockerEnv('tls1', {}) }), (e: unknown) => e instanceof BulwarkError && /ca-file/.test(e.message));
    const result = await scanFrom(tls, { credentials, ca: tls.caPem!, env: dockerEnv('tls2', {}) });
    assert.equal(result.packages.length, 2);
  });
});
