export { type AppendResult, AuditLog, type AuditLogOptions } from './audit-log.js';
export type { AuditStorage } from './audit-storage.js';
export { type CheckpointBody, formatCheckpoint } from './checkpoint.js';
export type { CutCheckpoint } from './checkpointer.js';
export { EXIT_CODES, runCli } from './cli.js';
export {
  type ColumnContext,
  ColumnEncryptor,
  type ColumnEncryptorOptions,
  type StoredDataKey,
} from './column-encryption.js';
export { consistencyProof } from './consistency-proof.js';
export {
  type ExportedCheckpoint,
  type ExportedLeaf,
  exportCheckpointChain,
  exportCsv,
  exportJsonLines,
  type InclusionBundle,
  inclusionBundle,
} from './export.js';
export { EMPTY_ROOT, leafHash, nodeHash } from './hash.js';
export { inclusionProof } from './inclusion-proof.js';
export { type KeyProvider, LocalKeyProvider } from './key-provider.js';
export {
  type ChangeLeaf,
  type ControlLeaf,
  changeLeafOf,
  decodeLeaf,
  dedupKeyOf,
  encodeLeaf,
  LEAF_FORMAT,
  type LeafContent,
} from './leaf-encoding.js';
export { MerkleTree } from './merkle-tree.js';
export { formatVerifierKey, noteKeyId } from './note-key.js';
export { PostgresStorage, type PostgresStorageOptions } from './postgres-storage.js';
export { type AuditQuery, type AuditQueryHit, queryChanges } from './query.js';
export { SegmentFileStorage, type SegmentFileStorageOptions } from './segment-file-storage.js';
export { type NoteSignature, signNote } from './signed-note.js';
export { Ed25519Signer, type Signer } from './signer.js';
export {
  parseTrustPolicy,
  parseVerifierKey,
  type TrustedKey,
  type TrustPolicy,
  type TrustPolicyFile,
} from './trust-policy.js';
export { ReplayRoot } from './verifier/replay-root.js';
export { VerificationError, type VerificationFailure } from './verifier/verification-error.js';
export { type VerifiedCheckpoint, verifyCheckpointNote } from './verifier/verify-checkpoint.js';
export {
  type VerificationResult,
  verifyChain,
  verifyConsistencyBetween,
  verifyInclusionBundle,
  verifyReplay,
} from './verifier/verify-commands.js';
export { verifyConsistency } from './verifier/verify-consistency.js';
export { verifyInclusion } from './verifier/verify-inclusion.js';
