// Benchmark of `bulwark image sbom` as a user runs it: a whole process on a real image, from an OCI
// layout (no network in the figure). The image: a Debian 12 root filesystem made by mmdebstrap
// (~150 packages) plus a Node.js application of ~800 npm packages, both cached under
// ~/.cache/bulwark/images (the first run builds them: needs mmdebstrap and npm).
// Usage: node bench/image.ts [--runs 5] [--compare] [--db FILE] [--from package|source]
// Prints wall time (best, median), CPU time and peak RSS (GNU time) for the SBOM, for the full scan
// (config checks + secrets) and for the whole job: the SBOM with its vulnerabilities matched
// against a database of 200,000 OSV records (`--db`, default bench/out/vuln-200000.db, which
// `npm run bench:vuln` builds); with --compare, the same image through Syft if it was built into
// ~/.cache/bulwark/compare/bin (go install github.com/anchore/syft/cmd/syft@v1.57.1).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchBinary } from './binary.ts';
import { buildImage, entriesOfDirectory, tarOf, writeOciLayout } from '../test/support/oci.ts';
import { debianRootfs, IMAGE_CACHE, npmApplication, NPM_PACKAGES_LARGE } from '../test/support/test-images.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    compare: { type: 'boolean', default: false },
    db: { type: 'string', default: new URL('out/vuln-200000.db', import.meta.url).pathname },
    from: { type: 'string', default: 'package' },
  },
});
const { bin, origin } = benchBinary(values.from);
const gnuTime = '/usr/bin/time';

/** The bench image as an OCI layout, built once. */
async function benchImage(): Promise<{ layout: string; dpkg: number; npm: number }> {
  const dir = join(IMAGE_CACHE, 'bench-v1');
  const layout = join(dir, 'layout');
  const info = join(dir, 'info.json');
  if (existsSync(info)) return { layout, ...(JSON.parse(readFileSync(info, 'utf8')) as { dpkg: number; npm: number }) };
  console.error('bench: building the image (mmdebstrap + npm install; several minutes the first time)');
  const rootfs = debianRootfs();
  const app = npmApplication(NPM_PACKAGES_LARGE, 'large');
  const appTar = await tarOf(entriesOfDirectory(join(app.dir, 'app'), 'app/'));
  const image = buildImage({ layers: [readFileSync(rootfs.tar), appTar], compression: 'gzip', config: { User: '10001', WorkingDir: '/app' } });
  writeOciLayout(layout, [{ tag: 'bench', image }]);
  const counts = { dpkg: rootfs.dpkg.length, npm: app.npm.length };
  writeFileSync(info, JSON.stringify(counts));
  return { layout, ...counts };
}

interface Run {
  wallMs: number;
  cpuMs: number;
  rssMiB: number;
  exit: number | null;
}

function timed(command: string, args: string[]): Promise<Run> {
  const [exe, argv] = existsSync(gnuTime) ? [gnuTime, ['-f', 'bench=%U %S %M', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(exe, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /bench=([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      resolve({
        wallMs: performance.now() - started,
        cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN,
        rssMiB: m ? Number(m[3]) / 1024 : Number.NaN,
        exit: code,
      });
      if (code !== 0 && code !== 1) console.error(stderr.slice(-2000));
    });
  });
}

async function measure(label: string, command: string, args: string[], runs: number): Promise<void> {
  await timed(command, args); // warm the page cache and Node's compile cache, as a second CI run would be
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) results.push(await timed(command, args));
  const walls = results.map((r) => r.wallMs).sort((a, b) => a - b);
  const cpu = results.map((r) => r.cpuMs).sort((a, b) => a - b);
  console.log(
    `${label}: wall_best=${walls[0]!.toFixed(0)}ms wall_median=${walls[Math.floor(walls.length / 2)]!.toFixed(0)}ms ` +
      `cpu_median=${cpu[Math.floor(cpu.length / 2)]!.toFixed(0)}ms peak_rss=${Math.max(...results.map((r) => r.rssMiB)).toFixed(0)}MiB exit=${results[0]!.exit}`,
  );
}

const image = await benchImage();
const out = mkdtempSync(join(tmpdir(), 'bulwark-bench-image-'));
try {
  const runs = Number(values.runs);
  const source = `oci:${image.layout}:bench`;
  const sbomFile = join(out, 'sbom.json');
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  );
  console.log(`bulwark: the ${origin === 'package' ? 'packed package (npm run build, npm pack)' : 'checkout\'s sources'}`);
  console.log(`image: ${image.dpkg} Debian packages + ${image.npm} npm packages (OCI layout, gzip layers)`);
  await timed(process.execPath, [bin, 'image', 'sbom', source, '--output', sbomFile]);
  const components = (JSON.parse(readFileSync(sbomFile, 'utf8')) as { components: unknown[] }).components.length;
  console.log(`bulwark sbom components: ${components}`);
  await measure('bulwark image sbom (cyclonedx)', process.execPath, [bin, 'image', 'sbom', source, '--output', sbomFile], runs);
  await measure('bulwark image scan (json, config checks + secrets)', process.execPath, [bin, 'image', 'scan', source, '--format', 'json', '--output', join(out, 'scan.json')], runs);
  if (existsSync(values.db)) {
    const vulnFile = join(out, 'vulns.cdx.json');
    const args = [bin, 'image', 'scan', source, '--db', values.db, '--max-age', '100000d', '--no-secrets', '--format', 'cyclonedx', '--output', vulnFile];
    await timed(process.execPath, args);
    const vulnerabilities = (JSON.parse(readFileSync(vulnFile, 'utf8')) as { vulnerabilities?: unknown[] }).vulnerabilities?.length ?? 0;
    console.log(`vulnerability database: ${values.db}; ${vulnerabilities} vulnerabilities in the SBOM`);
    await measure('bulwark image scan --db (SBOM + vulnerabilities, cyclonedx)', process.execPath, args, runs);
    // The generated records name no package of this image, so the run above measures lookups that miss.
    // A copy of the database gets one advisory for every third package the image holds (affected in
    // every version), so this run also builds findings, as a scan of a real image with a real database does.
    const withHits = join(out, 'vuln-with-hits.db');
    copyFileSync(values.db, withHits);
    const scanned = JSON.parse(readFileSync(join(out, 'scan.json'), 'utf8')) as { packages?: { name: string; ecosystem?: string; sourceName?: string }[] };
    const records = (scanned.packages ?? []).filter((_, i) => i % 3 === 0).flatMap((pkg, i) => {
      const debian = pkg.ecosystem === 'Debian' || pkg.ecosystem?.startsWith('Debian') === true;
      if (!debian && pkg.ecosystem !== 'npm') return [];
      const affected = debian
        ? { package: { ecosystem: 'Debian:12', name: pkg.sourceName ?? pkg.name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '99999' }] }] }
        : { package: { ecosystem: 'npm', name: pkg.name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '99999.0.0' }] }] };
      return [JSON.stringify({ schema_version: '1.6.0', id: `BENCH-HIT-${i}`, modified: '2026-01-01T00:00:00Z', summary: 'benchmark advisory', affected: [affected] })];
    });
    writeFileSync(join(out, 'hits.jsonl'), `${records.join('\n')}\n`);
    await timed(process.execPath, [bin, 'db', 'import', join(out, 'hits.jsonl'), '--db', withHits]);
    const hitArgs = [bin, 'image', 'scan', source, '--db', withHits, '--max-age', '100000d', '--no-secrets', '--format', 'cyclonedx', '--output', vulnFile];
    await timed(process.execPath, hitArgs);
    const hits = (JSON.parse(readFileSync(vulnFile, 'utf8')) as { vulnerabilities?: unknown[] }).vulnerabilities?.length ?? 0;
    console.log(`the same database plus ${records.length} advisories for this image's packages: ${hits} vulnerabilities in the SBOM`);
    await measure('bulwark image scan --db, with hits (SBOM + vulnerabilities, cyclonedx)', process.execPath, hitArgs, runs);
  } else {
    console.log(`vulnerability database ${values.db} missing (npm run bench:vuln builds it): SBOM + vulnerabilities not measured`);
  }
  if (values.compare) {
    const syft = join(homedir(), '.cache', 'bulwark', 'compare', 'bin', 'syft');
    if (existsSync(syft)) {
      const syftFile = join(out, 'syft.json');
      await timed(syft, ['scan', `oci-dir:${image.layout}`, '-q', '-o', `cyclonedx-json=${syftFile}`]);
      const syftComponents = existsSync(syftFile) ? (JSON.parse(readFileSync(syftFile, 'utf8')) as { components?: unknown[] }).components?.length ?? 0 : 0;
      console.log(`syft components: ${syftComponents}`);
      await measure('syft scan (cyclonedx-json)', syft, ['scan', `oci-dir:${image.layout}`, '-q', '-o', `cyclonedx-json=${syftFile}`], runs);
    } else {
      console.log(`syft: not built (${syft} missing)`);
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
