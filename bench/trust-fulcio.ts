// Benchmark of keyless certificate issuance through Bulwark's Fulcio v2 client: the round trip to the
// in-process stand-in CA (on 127.0.0.1; the CA's own CPU — minting a precertificate, an SCT and the
// certificate — is in the same process and included), and the client's pure part alone: reading the
// answer (JSON, three PEM certificates parsed and checked).
// Usage: node bench/trust-fulcio.ts [--requests 100] [--parses 2000]
// CPU time is measured with process.cpuUsage; with --expose-gc, the heap retained after the parses (a
// leak check). Wall times on a shared machine are indicative only.
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { FileSigningKey } from '../src/trust/keys/file-provider.ts';
import { generateKeyPair } from '../src/trust/keys/generate.ts';
import { parseSigningCertificateResponse, requestSigningCertificate } from '../src/trust/sign/fulcio.ts';
import { startStandInFulcio } from '../src/trust/testing/fulcio.ts';
import { certificatePem } from '../src/trust/x509/certificate.ts';
import { latencyStats } from './stats.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '100' }, parses: { type: 'string', default: '2000' } } });
const requests = Number(values.requests);
const parses = Number(values.parses);

const gc = (globalThis as { gc?: () => void }).gc;

const fulcio = await startStandInFulcio();
try {
  const pair = await generateKeyPair('ecdsa-p256');
  const key = new FileSigningKey(pair.privateKey, pair.publicKey, 'bench key');
  // Warm up: connection, JIT.
  for (let index = 0; index < 5; index++) await requestSigningCertificate({ fulcioUrl: fulcio.url, identityToken: fulcio.issueToken({ email: 'ci@example.com' }), key });

  const round: number[] = [];
  let cpu = process.cpuUsage();
  let last = await requestSigningCertificate({ fulcioUrl: fulcio.url, identityToken: fulcio.issueToken({ email: 'ci@example.com' }), key });
  for (let index = 0; index < requests; index++) {
    const token = fulcio.issueToken({ email: 'ci@example.com' });
    const started = performance.now();
    last = await requestSigningCertificate({ fulcioUrl: fulcio.url, identityToken: token, key });
    round.push(performance.now() - started);
  }
  let used = process.cpuUsage(cpu);
  const roundCpu = (used.user + used.system) / 1000 / requests;

  const answer = Buffer.from(JSON.stringify({ signedCertificateEmbeddedSct: { chain: { certificates: [last.certificate, ...last.chain].map(certificatePem) } } }));
  for (let index = 0; index < 200; index++) parseSigningCertificateResponse(answer, 'warm-up');
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const parse: number[] = [];
  cpu = process.cpuUsage();
  for (let index = 0; index < parses; index++) {
    const started = performance.now();
    parseSigningCertificateResponse(answer, 'bench');
    parse.push(performance.now() - started);
  }
  used = process.cpuUsage(cpu);
  gc?.();
  const retained = process.memoryUsage().heapUsed - heapBefore;

  console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (shared: other work runs here)`);
  console.log(`certificate issuance, client + stand-in CA: ${latencyStats(round)}  CPU ${roundCpu.toFixed(2)} ms per certificate`);
  console.log(`response parsing (leaf + intermediate + root, ${answer.length} bytes): ${latencyStats(parse)}  CPU ${((used.user + used.system) / 1000 / parses).toFixed(3)} ms per answer`);
  if (gc !== undefined) console.log(`heap retained after ${parses} parses and a collection: ${(retained / 1024).toFixed(0)} KiB in all (the parser keeps nothing)`);
} finally {
  await fulcio.stop();
}
