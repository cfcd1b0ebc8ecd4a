import { leafHash } from '../hash.js';
import type { TrustPolicy } from '../trust-policy.js';
import { decodeBase64, decodeProof, parseJson, parseJsonLines } from './decode-input.js';
import { ReplayRoot } from './replay-root.js';
import { VerificationError } from './verification-error.js';
import { verifyCheckpointNote } from './verify-checkpoint.js';
import { verifyConsistency } from './verify-consistency.js';
import { verifyInclusion } from './verify-inclusion.js';

/** The facts a successful verification established, printed as the report's `result`. */
export type VerificationResult = Record<string, string | number | boolean | readonly string[]>;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** `verify inclusion`: an inclusion bundle (index, leaf, proof, checkpoint) against the trust policy. */
export function verifyInclusionBundle(bundleText: string, policy: TrustPolicy): VerificationResult {
  const bundle = parseJson(bundleText, 'inclusion bundle') as Record<string, unknown>;
  if (typeof bundle.checkpoint !== 'string' || !Number.isSafeInteger(bundle.index)) {
    throw new VerificationError('malformed', 'inclusion bundle needs "index", "leaf", "proof" and "checkpoint"');
  }
  const checkpoint = verifyCheckpointNote(bundle.checkpoint, policy);
  const leaf = decodeBase64(bundle.leaf, 'inclusion bundle leaf');
  const proof = decodeProof(bundle.proof, 'inclusion bundle proof');
  const index = BigInt(bundle.index as number);
  if (!verifyInclusion(index, checkpoint.size, leafHash(leaf), proof, checkpoint.root)) {
    throw new VerificationError(
      'inclusion',
      `leaf ${index} is not included in the checkpoint of size ${checkpoint.size}`,
    );
  }
  return {
    index: Number(index),
    treeSize: checkpoint.size.toString(),
    root: b64(checkpoint.root),
    signedBy: checkpoint.signedBy,
  };
}

/** `verify consistency`: an old and a new checkpoint and the proof between them. */
export function verifyConsistencyBetween(
  oldNote: string,
  newNote: string,
  proofText: string,
  policy: TrustPolicy,
): VerificationResult {
  const older = verifyCheckpointNote(oldNote, policy);
  const newer = verifyCheckpointNote(newNote, policy);
  const proof = decodeProof(parseJson(proofText, 'consistency proof'), 'consistency proof');
  if (!verifyConsistency(older.size, newer.size, older.root, newer.root, proof)) {
    throw new VerificationError(
      'consistency',
      `checkpoint of size ${older.size} is not a prefix of checkpoint of size ${newer.size}: fork`,
    );
  }
  return { oldSize: older.size.toString(), newSize: newer.size.toString(), newRoot: b64(newer.root) };
}

/** `verify replay`: recompute the root from an exported log and compare it with a signed checkpoint. */
export function verifyReplay(exportText: string, checkpointNote: string, policy: TrustPolicy): VerificationResult {
  const checkpoint = verifyCheckpointNote(checkpointNote, policy);
  const replay = new ReplayRoot();
  let root: Uint8Array | undefined = checkpoint.size === 0n ? replay.root() : undefined;
  for (const entry of parseJsonLines(exportText, 'export')) {
    const e = entry as Record<string, unknown>;
    if (e.index !== replay.size)
      throw new VerificationError('malformed', `export line for leaf ${replay.size} has index ${String(e.index)}`);
    replay.push(leafHash(decodeBase64(e.leaf, `export leaf ${replay.size}`)));
    if (BigInt(replay.size) === checkpoint.size) root = replay.root();
  }
  if (root === undefined) {
    throw new VerificationError(
      'inclusion',
      `export holds ${replay.size} leaves, the checkpoint commits to ${checkpoint.size}: truncated`,
    );
  }
  if (Buffer.compare(root, checkpoint.root) !== 0) {
    throw new VerificationError(
      'inclusion',
      `the first ${checkpoint.size} exported leaves do not hash to the checkpoint root: rewritten or reordered`,
    );
  }
  return { leaves: replay.size, treeSize: checkpoint.size.toString(), root: b64(root), signedBy: checkpoint.signedBy };
}

/** `verify chain`: every stored checkpoint verifies and is consistent with the next one (no fork, no rollback). */
export function verifyChain(chainText: string, policy: TrustPolicy): VerificationResult {
  const entries = parseJsonLines(chainText, 'checkpoint chain') as Record<string, unknown>[];
  if (entries.length === 0) throw new VerificationError('malformed', 'checkpoint chain is empty');
  const checkpoints = entries.map((e, i) => {
    if (typeof e.note !== 'string')
      throw new VerificationError('malformed', `checkpoint chain line ${i + 1} has no "note"`);
    return verifyCheckpointNote(e.note, policy);
  });
  for (let i = 0; i + 1 < checkpoints.length; i++) {
    const a = checkpoints[i] as (typeof checkpoints)[number];
    const b = checkpoints[i + 1] as (typeof checkpoints)[number];
    const proof = decodeProof(
      (entries[i] as Record<string, unknown>).consistencyToNext ?? [],
      `checkpoint ${i} consistencyToNext`,
    );
    if (!verifyConsistency(a.size, b.size, a.root, b.root, proof)) {
      throw new VerificationError(
        'consistency',
        `checkpoint ${i} (size ${a.size}) and checkpoint ${i + 1} (size ${b.size}) are not consistent: fork`,
      );
    }
  }
  const last = checkpoints[checkpoints.length - 1] as (typeof checkpoints)[number];
  return { checkpoints: checkpoints.length, treeSize: last.size.toString(), root: b64(last.root) };
}
