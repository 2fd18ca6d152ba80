// Public API of the tamper-evident, encrypted security ledger. Everything a caller needs to append,
// checkpoint, prove, verify and read; the audit receiver appends through `Ledger.appendBatch`.
export { initLedger, openLedger, Ledger, type AppendInput, type AppendReceipt, type InitOptions, type OpenOptions, type ReadEntry, type ReadStatus } from './ledger.ts';
export { verifyLedger, type Problem, type ProblemKind, type VerifyOptions, type VerifyReport } from './verify.ts';
export { openWitness, type Witness } from './witness.ts';
export { verifyConsistency, verifyInclusion, type ConsistencyProof, type InclusionProof, type Verdict } from './proof-verify.ts';
export { formatConsistencyJson, formatInclusionJson, parseProofJson, type ParsedProof } from './proof-json.ts';
export { formatCheckpointText, openCheckpoint, parseCheckpointText, type Checkpoint, type SignedCheckpoint } from './checkpoint.ts';
export { formatVerifierKey, generateSigner, openNote, parseNote, parseSignerKey, parseVerifierKey, signNote, type NoteSigner, type NoteVerifier } from './note.ts';
export { createKekFile, loadKekFile, LocalKeyEncryptionKey, type KeyEncryptionKey } from './kek.ts';
export { readConfig, DATABASE_URL_ENV, type LedgerConfig } from './config.ts';
export { LedgerError, type LedgerErrorReason } from './errors.ts';
export type { LedgerStore, DataKeyRecord, TreeHead } from './store.ts';
export { rotateKek } from './kek-rotation.ts';
export { appendJsonLines, type JsonLinesOptions } from './json-lines.ts';
export { checkProof, type ProofCheck } from './proof-check.ts';
export { proveForCli } from './prove-cli.ts';
