import { createHash } from 'node:crypto';

/** Signature type byte of Ed25519 in C2SP signed-note. */
export const NOTE_ALG_ED25519 = 0x01;

/**
 * The 4-byte key id of C2SP signed-note: the first four bytes of SHA-256(name ‖ 0x0A ‖ type ‖ public key),
 * read big-endian.
 */
export function noteKeyId(name: string, algorithm: number, publicKey: Uint8Array): number {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, algorithm]))
    .update(publicKey)
    .digest();
  return digest.readUInt32BE(0);
}

/** A key name is valid in a note when it is non-empty and holds no `+` and no whitespace (C2SP signed-note). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[+\s]/u.test(name);
}

/** The vkey text form `name+hhhhhhhh+base64(type ‖ public key)` used by Go's sumdb/note and C2SP. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  const id = noteKeyId(name, NOTE_ALG_ED25519, publicKey).toString(16).padStart(8, '0');
  return `${name}+${id}+${Buffer.concat([Buffer.from([NOTE_ALG_ED25519]), publicKey]).toString('base64')}`;
}
