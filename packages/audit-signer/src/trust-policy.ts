import { isValidKeyName, NOTE_ALG_ED25519, noteKeyId } from './note-key.js';
import { splitPlus } from './signer.js';

/** One trusted checkpoint key and the tree sizes over which its signatures count. */
export interface TrustedKey {
  readonly keyName: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  /** First tree size this key may sign (inclusive). */
  readonly validFromSize: bigint;
  /** Tree size from which the key no longer signs (exclusive end of its window), if retired. */
  readonly validUntilSize?: bigint;
  /** Tree size from which signatures by this key are rejected because it was compromised; 0 revokes it entirely. */
  readonly revokedFromSize?: bigint;
}

/** Which keys a verifier trusts for one log, and how many valid signatures a checkpoint needs. */
export interface TrustPolicy {
  readonly origin: string;
  readonly keys: readonly TrustedKey[];
  readonly threshold: number;
}

/**
 * The JSON file form of a trust policy. Sizes are decimal strings so they survive JSON above 2^53.
 *
 * @example
 * ```json
 * { "origin": "audit.example/orders", "threshold": 1,
 *   "keys": [{ "key": "log-2026+1a2b3c4d+AX...", "validFromSize": "0", "revokedFromSize": "5000" }] }
 * ```
 */
export interface TrustPolicyFile {
  origin: string;
  threshold?: number;
  keys: { key: string; validFromSize?: string; validUntilSize?: string; revokedFromSize?: string }[];
}

/** Parses a trust policy file; throws a TypeError naming the bad field. */
export function parseTrustPolicy(json: string): TrustPolicy {
  const file = JSON.parse(json) as TrustPolicyFile;
  if (typeof file.origin !== 'string' || file.origin.length === 0)
    throw new TypeError('trust policy: "origin" must be a non-empty string');
  if (!Array.isArray(file.keys) || file.keys.length === 0)
    throw new TypeError('trust policy: "keys" must be a non-empty array');
  const threshold = file.threshold ?? 1;
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new TypeError('trust policy: "threshold" must be a positive integer');
  const keys = file.keys.map((entry, i) => {
    const parsed = parseVerifierKey(entry.key, `keys[${i}].key`);
    return {
      ...parsed,
      validFromSize: parseSize(entry.validFromSize ?? '0', `keys[${i}].validFromSize`),
      ...(entry.validUntilSize === undefined
        ? {}
        : { validUntilSize: parseSize(entry.validUntilSize, `keys[${i}].validUntilSize`) }),
      ...(entry.revokedFromSize === undefined
        ? {}
        : { revokedFromSize: parseSize(entry.revokedFromSize, `keys[${i}].revokedFromSize`) }),
    };
  });
  return { origin: file.origin, keys, threshold };
}

/** Parses a `name+hhhhhhhh+base64(0x01 ‖ key)` verifier key, checking that the id matches the key. */
export function parseVerifierKey(
  text: string,
  field = 'key',
): { keyName: string; keyId: number; publicKey: Uint8Array } {
  const parts = typeof text === 'string' ? splitPlus(text, 3) : undefined;
  const bad = () => new TypeError(`trust policy: "${field}" is not a valid Ed25519 note verifier key`);
  if (parts === undefined) throw bad();
  const [keyName, hash, b64] = parts as [string, string, string];
  const raw = Buffer.from(b64, 'base64');
  if (
    !isValidKeyName(keyName) ||
    !/^[0-9a-f]{8}$/.test(hash) ||
    raw.length !== 33 ||
    raw[0] !== NOTE_ALG_ED25519 ||
    raw.toString('base64') !== b64
  ) {
    throw bad();
  }
  const publicKey = new Uint8Array(raw.subarray(1));
  const keyId = noteKeyId(keyName, NOTE_ALG_ED25519, publicKey);
  if (keyId !== Number.parseInt(hash, 16)) throw bad();
  return { keyName, keyId, publicKey };
}

/** True when `key` may sign a checkpoint of `size` leaves. */
export function keyCoversSize(key: TrustedKey, size: bigint): boolean {
  if (size < key.validFromSize) return false;
  if (key.validUntilSize !== undefined && size >= key.validUntilSize) return false;
  return key.revokedFromSize === undefined || size < key.revokedFromSize;
}

function parseSize(text: string, field: string): bigint {
  if (typeof text !== 'string' || !/^(0|[1-9][0-9]*)$/.test(text))
    throw new TypeError(`trust policy: "${field}" must be a decimal string`);
  return BigInt(text);
}
