// The Merkle core against the upstream transparency-dev corpus (every RFC inclusion and consistency
// probe with its expected verdict), the RFC 6962 reference tree, and properties: proofs generated from
// the compact range and the node plan verify for every index and size, and any mutation is rejected.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { missingShared, sharedPath } from '../../test/support/shared.ts';
import { CompactRange, foldRange } from './compact-range.ts';
import { EMPTY_ROOT, leafHash, nodeHash } from './hash.ts';
import { assemblePlan, consistencyPlan, inclusionPlan } from './proof-plan.ts';
import { parseProofJson } from './proof-json.ts';
import { verifyConsistency, verifyInclusion, type Verdict } from './proof-verify.ts';
import { LedgerError } from './errors.ts';
import type { NodeId } from './tree-math.ts';

const merkleDir = ['conformance', 'merkle'];
const missing = missingShared(...merkleDir, 'cases.tsv');

function judge(text: string, file: string): Verdict {
  let parsed;
  try {
    parsed = parseProofJson(text, file);
  } catch (error) {
    assert.ok(error instanceof LedgerError, `${file}: parse failures must be typed, got ${String(error)}`);
    return { valid: false, reason: (error as Error).message };
  }
  return parsed.kind === 'inclusion' ? verifyInclusion(parsed.proof) : verifyConsistency(parsed.proof);
}

describe('upstream RFC 9162 probes (transparency-dev/merkle testdata)', { skip: missing }, () => {
  const rows = missing
    ? []
    : readFileSync(sharedPath(...merkleDir, 'cases.tsv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split('\t') as [string, string, string, string]);

  for (const kind of ['inclusion', 'consistency']) {
    it(`every ${kind} case gets its expected verdict`, () => {
      const cases = rows.filter((row) => row[0] === kind);
      assert.ok(cases.length > 40, `expected the ${kind} cases, found ${cases.length}`);
      for (const [, file, desc, expected] of cases) {
        const verdict = judge(readFileSync(sharedPath(...merkleDir, file), 'utf8'), file);
        assert.equal(verdict.valid ? 'accept' : 'reject', expected, `${file} (${desc}): ${verdict.valid ? 'accepted' : verdict.reason}`);
      }
    });
  }
});

interface ReferenceTree {
  leaf_inputs_hex: string[];
  root_hash_by_tree_size: Record<string, string>;
  node_hashes_by_level: { levels: string[][] };
}

describe('RFC 6962 reference tree', { skip: missing }, () => {
  const tree = missing ? undefined : (JSON.parse(readFileSync(sharedPath(...merkleDir, 'reference_tree.json'), 'utf8')) as ReferenceTree);

  it('roots of every prefix and every stored node match', () => {
    const leaves = tree!.leaf_inputs_hex.map((hex) => leafHash(Buffer.from(hex, 'hex')));
    const range = new CompactRange();
    assert.equal(range.root().toString('hex'), tree!.root_hash_by_tree_size['0']);
    const nodes = new Map<string, string>();
    for (const leaf of leaves) {
      range.append(leaf, (node) => nodes.set(`${node.level}/${node.index}`, node.hash.toString('hex')));
      assert.equal(range.root().toString('hex'), tree!.root_hash_by_tree_size[String(range.size)], `root at ${range.size}`);
    }
    tree!.node_hashes_by_level.levels.forEach((level, l) => level.forEach((hash, i) => assert.equal(nodes.get(`${l}/${i}`), hash, `node ${l}/${i}`)));
  });

  it('generated proofs equal the upstream happy paths', () => {
    const leaves = tree!.leaf_inputs_hex.map((hex) => leafHash(Buffer.from(hex, 'hex')));
    const store = buildNodes(leaves);
    const upstream = JSON.parse(readFileSync(sharedPath(...merkleDir, 'testdata/inclusion/2/happy-path.json'), 'utf8')) as { leafIdx: number; treeSize: number; proof: string[] };
    assert.deepEqual(assemblePlan(inclusionPlan(upstream.leafIdx, upstream.treeSize), store).map((h) => h.toString('base64')), upstream.proof);
    const consistency = JSON.parse(readFileSync(sharedPath(...merkleDir, 'testdata/consistency/2/happy-path.json'), 'utf8')) as { size1: number; size2: number; proof: string[] };
    assert.deepEqual(assemblePlan(consistencyPlan(consistency.size1, consistency.size2), store).map((h) => h.toString('base64')), consistency.proof);
  });
});

/** A node lookup over all perfect subtrees of `leaves`. */
function buildNodes(leaves: Buffer[]): (node: NodeId) => Buffer {
  const nodes = new Map<string, Buffer>();
  const range = new CompactRange();
  for (const leaf of leaves) range.append(leaf, (node) => nodes.set(`${node.level}/${node.index}`, node.hash));
  return (node) => {
    const hash = nodes.get(`${node.level}/${node.index}`);
    assert.ok(hash, `node ${node.level}/${node.index} requested but not complete`);
    return hash;
  };
}

/** The RFC's recursive MTH, as an independent oracle. */
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const leavesOf = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

describe('proof generation and verification', () => {
  const all = leavesOf(70);
  const lookup = buildNodes(all);

  it('compact range roots equal the recursive definition for every size up to 70', () => {
    const range = new CompactRange();
    for (let n = 0; n <= 70; n++) {
      assert.ok(range.root().equals(mth(all.slice(0, n))), `size ${n}`);
      if (n < 70) range.append(all[n]!);
    }
    assert.ok(foldRange([]).equals(EMPTY_ROOT));
  });

  it('every inclusion proof of every tree up to 70 entries verifies, and fails for another leaf', () => {
    for (let size = 1; size <= 70; size++) {
      const root = mth(all.slice(0, size));
      for (let index = 0; index < size; index++) {
        const proof = assemblePlan(inclusionPlan(index, size), lookup);
        const input = { leafIdx: BigInt(index), treeSize: BigInt(size), root, leafHash: all[index]!, proof };
        assert.deepEqual(verifyInclusion(input), { valid: true }, `entry ${index} of ${size}`);
        if (size > 1) assert.equal(verifyInclusion({ ...input, leafHash: all[(index + 1) % size]! }).valid, false);
      }
    }
  });

  it('every consistency proof between trees up to 70 entries verifies', () => {
    for (let size2 = 0; size2 <= 70; size2++) {
      for (let size1 = 0; size1 <= size2; size1++) {
        const proof = assemblePlan(consistencyPlan(size1, size2), lookup);
        const input = { size1: BigInt(size1), size2: BigInt(size2), root1: mth(all.slice(0, size1)), root2: mth(all.slice(0, size2)), proof };
        assert.deepEqual(verifyConsistency(input), { valid: true }, `${size1} → ${size2}`);
      }
    }
  });

  it('rejects every random mutation of a valid inclusion proof', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 70 }), fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 5 }), (size, i, at, bit, kind) => {
        const index = i % size;
        const proof = assemblePlan(inclusionPlan(index, size), lookup);
        const good = { leafIdx: BigInt(index), treeSize: BigInt(size), root: mth(all.slice(0, size)), leafHash: all[index]!, proof };
        const flip = (h: Uint8Array): Buffer => {
          const copy = Buffer.from(h);
          copy[at % 32]! ^= 1 << bit % 8;
          return copy;
        };
        const mutated =
          kind === 0
            ? { ...good, root: flip(good.root) }
            : kind === 1
              ? { ...good, leafHash: flip(good.leafHash) }
              : kind === 2 && proof.length > 0
                ? { ...good, proof: proof.map((h, j) => (j === at % proof.length ? flip(h) : h)) }
                : kind === 3
                  ? { ...good, proof: [...proof, proof[0] ?? good.root] }
                  : kind === 4 && proof.length > 0
                    ? { ...good, proof: proof.slice(0, -1) }
                    : { ...good, leafIdx: good.leafIdx ^ BigInt(1 + (at % 8)) };
        // (treeSize is not mutated here: a proof binds the leaf to the root, and some other sizes share
        // the same path shape; the root must come from a checkpoint of that size. The upstream probes
        // cover the size mutations that must fail.)
        assert.equal(verifyInclusion(mutated).valid, false);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects every random mutation of a valid consistency proof', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 69 }), fc.integer({ min: 1, max: 69 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 5 }), (a, b, at, bit, kind) => {
        const size1 = Math.min(a, b);
        const size2 = Math.max(a, b) + 1;
        const proof = assemblePlan(consistencyPlan(size1, size2), lookup);
        const good = { size1: BigInt(size1), size2: BigInt(size2), root1: mth(all.slice(0, size1)), root2: mth(all.slice(0, size2)), proof };
        const flip = (h: Uint8Array): Buffer => {
          const copy = Buffer.from(h);
          copy[at % 32]! ^= 1 << bit % 8;
          return copy;
        };
        const mutated =
          kind === 0
            ? { ...good, root1: flip(good.root1) }
            : kind === 1
              ? { ...good, root2: flip(good.root2) }
              : kind === 2
                ? { ...good, proof: proof.map((h, j) => (j === at % proof.length ? flip(h) : h)) }
                : kind === 3
                  ? { ...good, proof: [...proof, proof[0]!] }
                  : kind === 4
                    ? { ...good, proof: proof.slice(0, -1) }
                    : { ...good, size1: good.size1 + 1n === good.size2 ? good.size1 - 1n : good.size1 + 1n };
        assert.equal(verifyConsistency(mutated).valid, false, `${size1}→${size2} mutation ${kind}`);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('proof JSON parser', () => {
  it('never crashes: any text gives a proof or a typed parse error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        try {
          parseProofJson(text);
        } catch (error) {
          assert.ok(error instanceof LedgerError && error.code === 'E_PARSE', String(error));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps 64-bit integers exact and rejects larger ones with the field named', () => {
    const base = { treeSize: 1, root: EMPTY_ROOT.toString('base64'), leafHash: EMPTY_ROOT.toString('base64'), proof: null };
    const parsed = parseProofJson(JSON.stringify(base).replace('{', '{"leafIdx":18446744073709551615,'));
    assert.equal(parsed.kind === 'inclusion' && parsed.proof.leafIdx, 18446744073709551615n);
    assert.throws(() => parseProofJson(JSON.stringify(base).replace('{', '{"leafIdx":18446744073709551616,')), /"leafIdx" .* outside/);
    assert.throws(() => parseProofJson(JSON.stringify({ ...base, leafIdx: 1.5 })), /"leafIdx" must be an integer/);
    assert.throws(() => parseProofJson(JSON.stringify({ ...base, leafIdx: 0, root: 'not base64!' })), /"root" is not standard padded base64/);
    assert.throws(() => parseProofJson('{"a":1}'), /neither an inclusion proof/);
  });

  it('rejects random mutations of valid proof JSON text (or parses them into a proof that fails)', () => {
    const size = 13;
    const index = 6;
    const proof = assemblePlan(inclusionPlan(index, size), lookupFor(size));
    const text = JSON.stringify({ leafIdx: index, treeSize: size, root: mth(leavesOf(size)).toString('base64'), leafHash: leavesOf(size)[index]!.toString('base64'), proof: proof.map((h) => h.toString('base64')) });
    assert.equal(judge(text, 'good').valid, true);
    const sizeDigits = text.indexOf('"treeSize":') + '"treeSize":'.length;
    fc.assert(
      fc.property(fc.nat(text.length - 1), fc.integer({ min: 1, max: 127 }), (at, code) => {
        const char = String.fromCharCode(code);
        fc.pre(text[at] !== char);
        const mutated = text.slice(0, at) + char + text.slice(at + 1);
        // A change inside whitespace or key spelling that keeps the same meaning cannot be told apart.
        fc.pre(!sameMeaning(text, mutated));
        // Sizes with the same path shape share proofs (see above): the size's digits are left alone.
        fc.pre(!(at >= sizeDigits && at < sizeDigits + 2));
        assert.equal(judge(mutated, 'mutated').valid, false, mutated);
      }),
      { numRuns: 3000 },
    );
  });
});

function lookupFor(size: number): (node: NodeId) => Buffer {
  return buildNodes(leavesOf(size));
}

function sameMeaning(a: string, b: string): boolean {
  try {
    const pa = parseProofJson(a);
    const pb = parseProofJson(b);
    return JSON.stringify(pa, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) === JSON.stringify(pb, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return false;
  }
}
