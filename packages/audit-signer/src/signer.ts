import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { formatVerifierKey, isValidKeyName, NOTE_ALG_ED25519, noteKeyId } from './note-key.js';

/**
 * Signs checkpoints. The in-process {@link Ed25519Signer} is the default; a KMS or HSM backend implements the same
 * four fields and `sign`, and is only called when a checkpoint is cut, never on the append path.
 *
 * @example
 * ```ts
 * const kmsSigner: Signer = { keyName: 'audit.example/log', keyId, algorithm: 'ed25519', publicKey,
 *   sign: (message) => kms.sign({ keyId: 'alias/audit', message }) };
 * ```
 */
export interface Signer {
  /** The key name printed on the signature line; no `+`, no whitespace. */
  readonly keyName: string;
  /** The C2SP signed-note key id (4 bytes, big-endian). */
  readonly keyId: number;
  readonly algorithm: 'ed25519';
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** Signs the exact note text bytes. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** In-process Ed25519 signer on node:crypto. */
export class Ed25519Signer implements Signer {
  readonly algorithm = 'ed25519' as const;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  private readonly privateKey: KeyObject;

  private constructor(
    readonly keyName: string,
    privateKey: KeyObject,
  ) {
    if (!isValidKeyName(keyName)) throw new TypeError(`key name "${keyName}" must be non-empty, without + or spaces`);
    this.privateKey = privateKey;
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    this.publicKey = new Uint8Array(spki.subarray(spki.length - 32));
    this.keyId = noteKeyId(keyName, NOTE_ALG_ED25519, this.publicKey);
  }

  /** A signer with a fresh random key. */
  static generate(keyName: string): Ed25519Signer {
    return new Ed25519Signer(keyName, generateKeyPairSync('ed25519').privateKey);
  }

  /** A signer from a 32-byte Ed25519 seed (RFC 8032 private key). */
  static fromSeed(keyName: string, seed: Uint8Array): Ed25519Signer {
    if (seed.length !== 32) throw new TypeError(`an Ed25519 seed has 32 bytes, not ${seed.length}`);
    const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
    return new Ed25519Signer(keyName, createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  }

  /**
   * A signer from the private key text of Go's sumdb/note (`PRIVATE+KEY+name+hhhhhhhh+base64(0x01 ‖ seed)`),
   * checking that the key id in the text matches the key.
   */
  static fromNoteSecretKey(text: string): Ed25519Signer {
    const parts = splitPlus(text, 5);
    if (parts === undefined || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY')
      throw new TypeError('malformed secret key');
    const [, , name, hash, b64] = parts as [string, string, string, string, string];
    const raw = Buffer.from(b64, 'base64');
    if (raw.length !== 33 || raw[0] !== NOTE_ALG_ED25519) throw new TypeError('malformed secret key');
    const signer = Ed25519Signer.fromSeed(name, raw.subarray(1));
    if (signer.keyId.toString(16).padStart(8, '0') !== hash) throw new TypeError('secret key id does not match');
    return signer;
  }

  /** The vkey text a trust policy lists for this signer. */
  get verifierKey(): string {
    return formatVerifierKey(this.keyName, this.publicKey);
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(sign(null, message, this.privateKey));
  }
}

/** Splits on the first `count - 1` plus signs (base64 in the last part may itself hold `+`). */
export function splitPlus(text: string, count: number): string[] | undefined {
  const parts: string[] = [];
  let rest = text;
  for (let i = 1; i < count; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return undefined;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  parts.push(rest);
  return parts;
}
