import { keyCoversSize, type TrustPolicy } from '../trust-policy.js';
import { parseNote } from './open-note.js';
import { type ParsedCheckpoint, parseCheckpoint } from './parse-checkpoint.js';
import { VerificationError } from './verification-error.js';
import { verifyEd25519 } from './verify-ed25519.js';

/** A checkpoint whose signatures met the trust policy, with the names of the keys that signed it. */
export interface VerifiedCheckpoint extends ParsedCheckpoint {
  readonly signedBy: readonly string[];
}

/**
 * Opens a signed checkpoint against a trust policy. Signatures by keys the policy does not list are ignored (as
 * C2SP signed-note requires); a listed key whose signature does not verify, or a checkpoint with fewer valid
 * signatures (from keys whose window covers its tree size) than the threshold, is a `bad-signature` failure.
 */
export function verifyCheckpointNote(note: string, policy: TrustPolicy): VerifiedCheckpoint {
  const parsed = parseNote(note);
  const checkpoint = parseCheckpoint(parsed.text);
  if (checkpoint.origin !== policy.origin) {
    throw new VerificationError(
      'bad-signature',
      `checkpoint origin "${checkpoint.origin}" is not the policy's "${policy.origin}"`,
    );
  }
  const message = Buffer.from(parsed.text, 'utf8');
  const signedBy = new Set<string>();
  for (const sig of parsed.signatures) {
    const key = policy.keys.find((k) => k.keyName === sig.keyName && k.keyId === sig.keyId);
    if (key === undefined) continue;
    if (!verifyEd25519(key.publicKey, message, sig.signature)) {
      throw new VerificationError(
        'bad-signature',
        `invalid signature by key ${sig.keyName} on checkpoint of size ${checkpoint.size}`,
      );
    }
    if (!keyCoversSize(key, checkpoint.size)) {
      throw new VerificationError(
        'bad-signature',
        `key ${sig.keyName} is revoked or outside its validity window at tree size ${checkpoint.size}`,
      );
    }
    signedBy.add(sig.keyName);
  }
  if (signedBy.size < policy.threshold) {
    throw new VerificationError(
      'bad-signature',
      `checkpoint of size ${checkpoint.size} has ${signedBy.size} trusted signatures, needs ${policy.threshold}`,
    );
  }
  return { ...checkpoint, signedBy: [...signedBy].sort() };
}
