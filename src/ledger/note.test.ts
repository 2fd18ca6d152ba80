// Signed notes and checkpoints: byte-exact interoperability with the Go reference implementation's
// published example key and signature, strict parsing of untrusted text (fuzzed), and rejection of
// any change to a signed checkpoint.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatCheckpointText, openCheckpoint, parseCheckpointText, signCheckpoint } from './checkpoint.ts';
import { LedgerError } from './errors.ts';
import { EMPTY_ROOT } from './hash.ts';
import { ed25519KeyId, generateSigner, openNote, parseNote, parseSignerKey, parseVerifierKey, signNote } from './note.ts';

// The example key pair and signed note of golang.org/x/mod/sumdb/note's documentation.
const GO_SIGNER = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VERIFIER = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe('signed notes (c2sp.org/signed-note)', () => {
  it('computes key IDs and signatures exactly as the reference implementation', () => {
    const signer = parseSignerKey(GO_SIGNER);
    const verifier = parseVerifierKey(GO_VERIFIER);
    assert.equal(signer.keyId, 0xc74f20a3);
    assert.equal(ed25519KeyId('PeterNeumann', verifier.publicKey), 0xc74f20a3);
    assert.equal(signNote(GO_TEXT, [signer]), GO_NOTE);
    assert.deepEqual(openNote(GO_NOTE, [verifier]), { text: GO_TEXT, signedBy: ['PeterNeumann'] });
  });

  it('ignores unknown keys, rejects a failing known key and a note no known key signed', () => {
    const other = generateSigner('other.example/log');
    const otherSigner = parseSignerKey(other.signerKey);
    const both = signNote(GO_TEXT, [otherSigner, parseSignerKey(GO_SIGNER)]);
    assert.deepEqual(openNote(both, [parseVerifierKey(GO_VERIFIER)]).signedBy, ['PeterNeumann']);
    assert.throws(() => openNote(signNote(GO_TEXT, [otherSigner]), [parseVerifierKey(GO_VERIFIER)]), (e: unknown) => e instanceof LedgerError && e.reason === 'signature');
    const forged = GO_NOTE.replace('answer', 'Answer');
    assert.throws(() => openNote(forged, [parseVerifierKey(GO_VERIFIER)]), /does not verify/);
  });

  it('rejects malformed notes with a reason', () => {
    const cases: [string, RegExp][] = [
      ['no blank line\n— a AAAAAAAA\n', /no blank line/],
      [`${GO_TEXT}\n— PeterNeumann x08go\n`, /not base64/],
      [`${GO_TEXT}\n- PeterNeumann x08go/ZJ\n`, /does not start with/],
      [`${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`, /does not end with a newline/],
      [`a\u0001b\n\n— x AAAAAAAA\n`, /control character/],
    ];
    for (const [text, reason] of cases) assert.throws(() => parseNote(text), (e: unknown) => e instanceof LedgerError && e.code === 'E_PARSE' && reason.test(e.message), text);
    assert.throws(() => parseNote(Buffer.from([0x61, 0xff, 0x0a, 0x0a])), /not valid UTF-8/);
  });

  it('parsing never crashes on arbitrary input: a note or a typed error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.string(), fc.uint8Array().map((b) => Buffer.from(b))), (input) => {
        try {
          parseNote(input);
        } catch (error) {
          assert.ok(error instanceof LedgerError, String(error));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('parses and rejects key texts with typed errors', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        for (const parse of [parseSignerKey, parseVerifierKey]) {
          try {
            parse(text);
          } catch (error) {
            assert.ok(error instanceof LedgerError, String(error));
          }
        }
      }),
    );
    assert.throws(() => parseVerifierKey(GO_VERIFIER.replace('c74f20a3', 'c74f20a4')), /key ID does not match/);
  });
});

describe('checkpoints (c2sp.org/tlog-checkpoint)', () => {
  const { signerKey, verifierKey } = generateSigner('example.com/log');
  const signer = parseSignerKey(signerKey);
  const verifier = parseVerifierKey(verifierKey);
  const signed = signCheckpoint({ origin: 'example.com/log', size: 20852163, root: EMPTY_ROOT, extensions: [] }, signer);

  it('formats the three mandatory lines and round-trips', () => {
    assert.equal(formatCheckpointText(signed), `example.com/log\n20852163\n${EMPTY_ROOT.toString('base64')}\n`);
    const opened = openCheckpoint(signed.note, verifier, 'example.com/log');
    assert.equal(opened.size, 20852163);
    assert.ok(opened.root.equals(EMPTY_ROOT));
    assert.throws(() => openCheckpoint(signed.note, verifier, 'example.com/other'), /checkpoint of log "example.com\/log"/);
  });

  it('rejects sizes with leading zeroes, bad roots and empty extension lines', () => {
    const root = EMPTY_ROOT.toString('base64');
    assert.throws(() => parseCheckpointText(`o\n012\n${root}\n`), /without leading zeroes/);
    assert.throws(() => parseCheckpointText(`o\n-1\n${root}\n`), /without leading zeroes/);
    assert.throws(() => parseCheckpointText(`o\n1\nAAAA\n`), /base64 of 32 bytes/);
    assert.throws(() => parseCheckpointText(`o\n1\n${root}\n\n`), /must not be empty/);
    assert.throws(() => parseCheckpointText(`o\n1\n`), /needs an origin/);
    assert.deepEqual(parseCheckpointText(`o\n0\n${root}\next\n`).extensions, ['ext']);
  });

  it('checkpoint text parsing never crashes', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseCheckpointText(text);
        } catch (error) {
          assert.ok(error instanceof LedgerError && error.code === 'E_PARSE', String(error));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('any single change to a signed checkpoint is rejected', () => {
    fc.assert(
      fc.property(fc.nat(signed.note.length - 1), fc.integer({ min: 0x20, max: 0x7e }), (at, code) => {
        const mutated = signed.note.slice(0, at) + String.fromCharCode(code) + signed.note.slice(at + 1);
        fc.pre(mutated !== signed.note);
        assert.throws(() => openCheckpoint(mutated, verifier, 'example.com/log'), (e: unknown) => e instanceof LedgerError);
      }),
      { numRuns: 2000 },
    );
  });
});
