// `skopeo` for integration tests: a second, independent OCI client (containers/image). Found in this order:
// the binary BULWARK_SKOPEO names; the upstream build scripts/setup-skopeo.sh leaves in the user's cache
// (sigstore signing and `sigstoreSigned` policies work); Debian's package from scripts/setup-image-tools.sh
// (copies and mirrors signature attachments, but its sigstore support is patched out). Every run is
// sandboxed: its own registries.d (sigstore attachments on, a lookaside store inside the sandbox),
// policy.json, auth file, registries.conf, certificate directory, HOME and temporary directory, so nothing
// of the user's containers configuration is read or written. Argument arrays only, never a shell; every run
// is bounded in time.
//
// API:
//   UPSTREAM_SKOPEO                           where scripts/setup-skopeo.sh installs its build
//   skopeoMissing(): false | string           why skopeo cannot be run (for `t.skip`), else false
//   createSkopeoSandbox(): Promise<SkopeoSandbox>
//   SkopeoSandbox {
//     dir, binary, version
//     run(args): Promise<SkopeoRun>          global sandbox flags are added; nothing else
//     copy(source, destination, options?): Promise<SkopeoCopy>
//       `docker://host/repo:tag` etc.; plain HTTP to the test registry; options.signWithKey +
//       options.passphrase sign with a sigstore private key; options.policy is a policy.json path;
//       the result's `digest` is the digest of the manifest skopeo wrote (it may differ from the
//       source's: skopeo compresses uncompressed layers unless the source carries signatures)
//     writePolicy(name, document): string    a policy.json in the sandbox, its path
//     close()                                removes the sandbox
//   }
//   sigstoreUnavailable(run): string | undefined
//     when a run failed because this skopeo build cannot sign or verify sigstore signatures, why
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface SkopeoRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface SkopeoCopy extends SkopeoRun {
  /** The digest of the manifest written to the destination, when the copy succeeded. */
  digest?: string;
}

export interface CopyOptions {
  /** Sign with this sigstore private key (cosign's encrypted format). */
  signWithKey?: string;
  /** Its passphrase; written to a 0600 file in the sandbox for `--sign-passphrase-file`. */
  passphrase?: string;
  /** A policy.json to enforce instead of the sandbox's accept-anything one. */
  policy?: string;
}

export interface SkopeoSandbox {
  dir: string;
  binary: string;
  version: string;
  run(args: readonly string[]): Promise<SkopeoRun>;
  copy(source: string, destination: string, options?: CopyOptions): Promise<SkopeoCopy>;
  writePolicy(name: string, document: unknown): string;
  close(): void;
}

const RUN_TIMEOUT_MS = 120_000;

/** Kept in step with SKOPEO_VERSION and install_dir in scripts/setup-skopeo.sh. */
export const UPSTREAM_SKOPEO = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'bulwark', 'skopeo', 'v1.16.1', 'skopeo');

function findSkopeo(): string | null {
  const configured = process.env.BULWARK_SKOPEO;
  if (configured !== undefined && configured !== '') return existsSync(configured) ? configured : null;
  if (existsSync(UPSTREAM_SKOPEO)) return UPSTREAM_SKOPEO;
  const directories = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const directory of directories) {
    if (directory === '') continue;
    const candidate = join(directory, 'skopeo');
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

export function skopeoMissing(): false | string {
  if (findSkopeo() !== null) return false;
  const configured = process.env.BULWARK_SKOPEO;
  return configured ? `BULWARK_SKOPEO names ${configured}, which does not exist` : 'skopeo not installed; run scripts/setup-skopeo.sh (upstream build, with sigstore) or scripts/setup-image-tools.sh (Debian package skopeo)';
}

/** The failures that mean "this build has no sigstore support", not "the signature is wrong". */
const NO_SIGSTORE = [/Debian-local change: sigstore disabled/, /unknown flag: --sign-by-sigstore-private-key/, /unknown policy requirement type "sigstoreSigned"/];

export function sigstoreUnavailable(run: SkopeoRun): string | undefined {
  if (run.status === 0) return undefined;
  for (const pattern of NO_SIGSTORE) {
    const line = run.stderr.split('\n').find((text) => pattern.test(text));
    if (line !== undefined) return (/msg="([^"]*)"/.exec(line)?.[1] ?? line).trim();
  }
  return undefined;
}

export async function createSkopeoSandbox(): Promise<SkopeoSandbox> {
  const binary = findSkopeo();
  if (binary === null) throw new Error(skopeoMissing() || 'skopeo not found');
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-skopeo-'));
  for (const sub of ['home', 'run', 'config', 'data', 'tmp', 'certs', 'registries.d', 'lookaside']) mkdirSync(join(dir, sub), { mode: 0o700 });
  // Sigstore attachments (cosign's `sha256-<hex>.sig` tags) on for every registry; the lookaside store for
  // simple-signing signatures would otherwise default to a system directory.
  const lookaside = `file://${join(dir, 'lookaside')}`;
  writeFileSync(join(dir, 'registries.d', 'default.yaml'), `default-docker:\n  lookaside: ${lookaside}\n  lookaside-staging: ${lookaside}\n  use-sigstore-attachments: true\n`);
  writeFileSync(join(dir, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  writeFileSync(join(dir, 'auth.json'), JSON.stringify({ auths: {} }), { mode: 0o600 });
  writeFileSync(join(dir, 'registries.conf'), '# empty: no short names, mirrors or blocked registries\n');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(dir, 'home'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_DATA_HOME: join(dir, 'data'),
    TMPDIR: join(dir, 'tmp'),
    CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
    REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
  };
  const version = spawnSync(binary, ['--version'], { env, encoding: 'utf8', timeout: 10_000 }).stdout?.trim() ?? '';
  const globals = ['--registries.d', join(dir, 'registries.d'), '--tmpdir', join(dir, 'tmp'), '--command-timeout', `${RUN_TIMEOUT_MS / 1000 - 5}s`];

  const execute = (args: readonly string[]): Promise<SkopeoRun> =>
    new Promise((resolve, reject) => {
      const child = spawn(binary, [...globals, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });

  let passphrases = 0;
  let copies = 0;
  return {
    dir,
    binary,
    version,
    run: (args) => execute(['--policy', join(dir, 'policy.json'), ...args]),
    copy: (source, destination, options = {}) => {
      const args = ['--policy', options.policy ?? join(dir, 'policy.json'), 'copy', '--authfile', join(dir, 'auth.json')];
      // The test registry serves plain HTTP on loopback.
      if (source.startsWith('docker://')) args.push('--src-tls-verify=false', '--src-cert-dir', join(dir, 'certs'));
      if (destination.startsWith('docker://')) args.push('--dest-tls-verify=false', '--dest-cert-dir', join(dir, 'certs'));
      if (options.signWithKey !== undefined) {
        args.push('--sign-by-sigstore-private-key', options.signWithKey);
        if (options.passphrase !== undefined) {
          const file = join(dir, `passphrase-${++passphrases}`);
          writeFileSync(file, `${options.passphrase}\n`, { mode: 0o600 });
          args.push('--sign-passphrase-file', file);
        }
      }
      const digestFile = join(dir, `digest-${++copies}`);
      args.push('--digestfile', digestFile, source, destination);
      return execute(args).then((run) => {
        if (run.status !== 0 || !existsSync(digestFile)) return run;
        const digest = readFileSync(digestFile, 'utf8').trim();
        rmSync(digestFile, { force: true });
        return { ...run, digest };
      });
    },
    writePolicy: (name, document) => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(document, null, 2));
      return path;
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
