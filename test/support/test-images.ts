// Real test images, built offline from real software and cached under ~/.cache/bulwark/images so that
// repeated test runs are fast:
//   layer 1  a Debian 12 root filesystem made by mmdebstrap from Debian's packages, with dpkg's own status
//   layer 2  a Node.js application: `npm install` of real packages (node_modules + package-lock.json),
//            a .env with a (generated) GitHub token, a (generated) RSA private key, docs with AWS's
//            published example key (which must not be reported)
//   layer 3  a Go binary built by this machine's Go with a real module dependency, a jar built with
//            javac/jar holding pom.properties, a Python dist-info; the .env of layer 2 whited out
// What each tool says it installed (dpkg-query, npm's lock file, `go version -m`) is recorded beside
// the image as the expected inventory.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, entriesOfDirectory, tarOf, writeOciLayout, type BuiltImage, type TarEntrySpec } from './oci.ts';

export const IMAGE_CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bulwark', 'images');
const GO = ['/usr/local/go/bin/go', '/usr/bin/go'].find((p) => existsSync(p)) ?? 'go';

/** Bump when the recipe changes: a new directory is built, old ones are left alone. */
const RECIPE = 'v1';
export const DEBIAN_INCLUDE = ['ca-certificates', 'curl', 'openssl', 'python3-minimal', 'less', 'procps', 'git', 'gnupg'];
export const NPM_PACKAGES = ['express@4.21.2', '@types/node@22.10.2', 'debug@4.4.0'];
/** The benchmark's bigger application (~800 packages). */
export const NPM_PACKAGES_LARGE = ['express@4.21.2', 'jest@29.7.0', 'eslint@8.57.1', 'webpack@5.97.1', '@babel/core@7.26.0', 'typescript@5.7.2', 'lerna@8.1.9', '@aws-sdk/client-s3@3.716.0'];

export interface ExpectedInventory {
  dpkg: [string, string][];
  npm: [string, string][];
  go: { main: string; deps: [string, string][]; goVersion: string };
  maven: [string, string][];
  python: [string, string][];
  secrets: { githubToken: string; privateKeyPath: string };
}

export interface TestImage {
  layout: string;
  tag: string;
  expected: ExpectedInventory;
  /** The layers and config as built (for pushing to a registry). */
  image: BuiltImage;
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 15 * 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${(result.stderr ?? '').slice(-3000)}`);
  }
  return result.stdout;
}

function which(name: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' }).status === 0;
}

/** false when the real test image can be built (or is cached), else what is missing. */
export function testImageToolsMissing(): false | string {
  if (existsSync(join(IMAGE_CACHE, `debian-app-${RECIPE}`, 'expected.json'))) return false;
  if (!which('mmdebstrap')) return 'mmdebstrap not installed; run scripts/setup-image-tools.sh';
  if (!which('dpkg-query')) return 'dpkg-query not found (a Debian machine is needed to build the test image)';
  if (!which('npm')) return 'npm not found';
  if (!existsSync(GO) && !which('go')) return 'Go not found (looked for /usr/local/go/bin/go and go on PATH)';
  if (!which('javac') || !which('jar')) return 'javac/jar not found (a JDK is needed to build the test jar)';
  return false;
}

/** A Debian root filesystem tar by mmdebstrap, cached; plus what dpkg-query says is installed in it. */
export function debianRootfs(include: readonly string[] = DEBIAN_INCLUDE): { tar: string; dpkg: [string, string][] } {
  const dir = join(IMAGE_CACHE, `debian-rootfs-${RECIPE}-${include.join(',').replace(/[^a-z0-9,.-]/g, '')}`);
  const tarPath = join(dir, 'rootfs.tar');
  const expectedPath = join(dir, 'dpkg.json');
  if (existsSync(expectedPath)) return { tar: tarPath, dpkg: JSON.parse(readFileSync(expectedPath, 'utf8')) };
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, 'rootfs.tar.partial');
  // root mode as root (CI, these machines); unshare otherwise.
  const mode = process.getuid?.() === 0 ? 'root' : 'unshare';
  run('mmdebstrap', ['--quiet', '--variant=minbase', `--mode=${mode}`, '--format=tar', `--include=${include.join(',')}`, 'bookworm', partial]);
  // dpkg-query reads the admin directory of the filesystem: only that is unpacked.
  const admin = mkdtempSync(join(tmpdir(), 'bulwark-dpkg-'));
  try {
    run('tar', ['-xf', partial, '-C', admin, './var/lib/dpkg']);
    const listed = run('dpkg-query', [`--admindir=${join(admin, 'var', 'lib', 'dpkg')}`, '--show', '--showformat=${Package}\t${Version}\t${db:Status-Status}\n']);
    const present = new Set(['installed', 'half-installed', 'unpacked', 'half-configured', 'triggers-awaited', 'triggers-pending']);
    const dpkg = listed
      .trim()
      .split('\n')
      .map((line) => line.split('\t'))
      .filter((fields) => present.has(fields[2] ?? ''))
      .map((fields) => [fields[0]!, fields[1]!] as [string, string])
      .sort();
    renameSync(partial, tarPath);
    writeFileSync(expectedPath, JSON.stringify(dpkg));
    return { tar: tarPath, dpkg };
  } finally {
    rmSync(admin, { recursive: true, force: true });
  }
}

/** `npm install` of real packages into DIR/app, cached; the installed set from npm's own lock file. */
export function npmApplication(packages: readonly string[], name: string): { dir: string; npm: [string, string][] } {
  const dir = join(IMAGE_CACHE, `npm-${RECIPE}-${name}`);
  const app = join(dir, 'app');
  const expectedPath = join(dir, 'npm.json');
  if (existsSync(expectedPath)) return { dir, npm: JSON.parse(readFileSync(expectedPath, 'utf8')) };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'bulwark-test-app', version: '1.0.0', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=dev', '--save-exact', ...packages], { cwd: app });
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; name?: string; link?: boolean; dev?: boolean }> };
  const npm = Object.entries(lock.packages)
    // Optional dependencies for other platforms are in the lock file but not installed.
    .filter(([path, entry]) => path !== '' && entry.link !== true && entry.dev !== true && entry.version !== undefined && existsSync(join(app, path, 'package.json')))
    .map(([path, entry]) => [entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 13), entry.version!] as [string, string])
    .sort();
  writeFileSync(expectedPath, JSON.stringify(npm));
  return { dir, npm };
}

function goBinary(dir: string): { binary: string; main: string; deps: [string, string][]; goVersion: string } {
  const src = join(dir, 'go-src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'go.mod'), 'module example.com/bulwark/hello\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n');
  writeFileSync(join(src, 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\n\t"github.com/google/uuid"\n)\n\nfunc main() { fmt.Println(uuid.NewString()) }\n');
  const env = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
  run(GO, ['mod', 'tidy'], { cwd: src, env });
  const binary = join(dir, 'hello');
  run(GO, ['build', '-o', binary, '.'], { cwd: src, env });
  // What Go itself says is embedded: the reference the parser is held to.
  const report = run(GO, ['version', '-m', binary], { env });
  const goVersion = /:\s*(go\S+)/.exec(report)?.[1] ?? '';
  const main = /^\s+path\s+(\S+)/m.exec(report)?.[1] ?? '';
  const deps = [...report.matchAll(/^\s+dep\s+(\S+)\s+(\S+)/gm)].map((m) => [m[1]!, m[2]!] as [string, string]);
  return { binary, main, deps, goVersion };
}

function javaArchive(dir: string): { jar: string; maven: [string, string][] } {
  const src = join(dir, 'java');
  const classes = join(src, 'classes');
  mkdirSync(join(classes, 'META-INF', 'maven', 'com.example', 'hello'), { recursive: true });
  writeFileSync(join(src, 'Hello.java'), 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n');
  run('javac', ['-d', classes, join(src, 'Hello.java')]);
  writeFileSync(join(classes, 'META-INF', 'maven', 'com.example', 'hello', 'pom.properties'), '#Generated by Maven\ngroupId=com.example\nartifactId=hello\nversion=1.2.3\n');
  const jar = join(dir, 'app.jar');
  run('jar', ['--create', '--file', jar, '-C', classes, '.']);
  return { jar, maven: [['com.example:hello', '1.2.3']] };
}

/** The three-layer test image (see the top of this file), as an OCI layout in the cache. */
export async function realTestImage(): Promise<TestImage> {
  const root = join(IMAGE_CACHE, `debian-app-${RECIPE}`);
  const layout = join(root, 'layout');
  const expectedPath = join(root, 'expected.json');
  const tag = 'v1';
  if (existsSync(expectedPath) && existsSync(join(root, 'image.json'))) {
    const stored = JSON.parse(readFileSync(join(root, 'image.json'), 'utf8')) as { manifestDigest: string; configDigest: string; layerDigests: string[] };
    const blob = (digest: string): Buffer => readFileSync(join(layout, 'blobs', 'sha256', digest.slice(7)));
    const blobs = new Map<string, Buffer>([stored.manifestDigest, stored.configDigest, ...stored.layerDigests].map((d) => [d, blob(d)]));
    const image: BuiltImage = { ...stored, manifest: blob(stored.manifestDigest), config: blob(stored.configDigest), blobs };
    return { layout, tag, expected: JSON.parse(readFileSync(expectedPath, 'utf8')), image };
  }
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'bulwark-image-build-'));
  try {
    const rootfs = debianRootfs();
    const app = npmApplication(NPM_PACKAGES, 'small');
    const githubToken = `ghp_${randomBytes(27).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 36)}`;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const layer2 = await tarOf([
      ...entriesOfDirectory(join(app.dir, 'app'), 'app/'),
      { name: 'app/.env', content: `NODE_ENV=production\nGITHUB_TOKEN=${githubToken}\n` },
      { name: 'app/docs/', type: 'directory' },
      { name: 'app/docs/aws.md', content: 'Set AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE and aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' },
      { name: 'root/.ssh/', type: 'directory', mode: 0o700 },
      { name: 'root/.ssh/id_rsa', content: privateKey, mode: 0o600 },
    ]);
    const go = goBinary(work);
    const java = javaArchive(work);
    const layer3Entries: TarEntrySpec[] = [
      { name: 'usr/local/bin/hello', content: readFileSync(go.binary), mode: 0o755 },
      { name: 'opt/app/app.jar', content: readFileSync(java.jar) },
      { name: 'usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n\nbody\n' },
      { name: 'app/.wh..env' },
    ];
    const layer3 = await tarOf(layer3Entries);
    const image = buildImage({
      layers: [readFileSync(rootfs.tar), layer2, layer3],
      compression: ['gzip', 'gzip', 'zstd'],
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `API_TOKEN=${randomBytes(12).toString('hex')}`],
        ExposedPorts: { '22/tcp': {}, '8080/tcp': {} },
        Cmd: ['node', '/app/server.js'],
        WorkingDir: '/app',
      },
      history: [{ created_by: 'mmdebstrap bookworm' }, { created_by: 'COPY app /app' }, { created_by: '|1 NPM_TOKEN=npm-secret-value-123 /bin/sh -c go build' }],
    });
    writeOciLayout(layout, [{ tag, image }]);
    const expected: ExpectedInventory = {
      dpkg: rootfs.dpkg,
      npm: app.npm,
      go: { main: go.main, deps: go.deps, goVersion: go.goVersion },
      maven: java.maven,
      python: [['requests', '2.31.0']],
      secrets: { githubToken, privateKeyPath: '/root/.ssh/id_rsa' },
    };
    writeFileSync(join(root, 'image.json'), JSON.stringify({ manifestDigest: image.manifestDigest, configDigest: image.configDigest, layerDigests: image.layerDigests }));
    writeFileSync(expectedPath, JSON.stringify(expected));
    return { layout, tag, expected, image };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
