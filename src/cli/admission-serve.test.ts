import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { webhookCertificates } from '../admission/certificates.ts';

const bin = new URL('../../bin/bulwark.js', import.meta.url).pathname;

function fetchText(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

test('admission serve runs with a fixed young generation, in the same process, and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-serve-'));
  const pki = await webhookCertificates(['127.0.0.1']);
  writeFileSync(join(dir, 'tls.crt'), pki.cert);
  writeFileSync(join(dir, 'tls.key'), pki.key);
  const child = spawn(process.execPath, [bin, 'admission', 'serve', '--no-kube', '--host', '127.0.0.1', '--port', '0', '--tls-cert-file', join(dir, 'tls.crt'), '--tls-private-key-file', join(dir, 'tls.key')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        const match = /listening on port (\d+)/.exec(stderr);
        if (match !== null) resolve(Number(match[1]));
      });
      child.on('exit', (code) => reject(new Error(`admission serve exited (${code}) before listening:\n${stderr}`)));
    });
    const metrics = await fetchText(`https://127.0.0.1:${port}/metrics`, pki.caCert);
    // Two 8 MiB semi-spaces, whatever the load: V8's default starts smaller and resizes.
    assert.match(metrics, /nodejs_heap_space_size_total_bytes\{space="new"\} 16777216\n/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The pid spawned is the server itself (execve replaced it): the signal reaches the server directly.
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
