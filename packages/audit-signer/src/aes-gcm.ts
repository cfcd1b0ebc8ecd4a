import { createCipheriv, createDecipheriv } from 'node:crypto';

/** AES-256 key size in bytes. */
export const AES_GCM_KEY_BYTES = 32;
/** The only nonce size this package uses: 96 bits, so the counter block is nonce ‖ 1 and never GHASH-derived. */
export const AES_GCM_NONCE_BYTES = 12;
/** Full 128-bit tags only: node:crypto otherwise accepts tags as short as 4 bytes on decryption. */
export const AES_GCM_TAG_BYTES = 16;

/**
 * AES-256-GCM encryption with a 96-bit nonce and a 128-bit tag; returns `ciphertext ‖ tag`. Every AES-GCM
 * operation of the package (column values, data-key wrapping) goes through this function and {@link openAesGcm}.
 */
export function sealAesGcm(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  checkParameters(key, nonce);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: AES_GCM_TAG_BYTES }).setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/**
 * Decrypts `ciphertext ‖ tag` sealed by {@link sealAesGcm}. Throws on a wrong key, nonce, additional data or tag,
 * on a truncated input, and on any key or nonce size other than 256 and 96 bits.
 */
export function openAesGcm(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer {
  checkParameters(key, nonce);
  if (sealed.length < AES_GCM_TAG_BYTES) throw new RangeError('AES-GCM input is shorter than its tag');
  const body = sealed.subarray(0, sealed.length - AES_GCM_TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: AES_GCM_TAG_BYTES }).setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - AES_GCM_TAG_BYTES));
  return Buffer.concat([decipher.update(body), decipher.final()]);
}

function checkParameters(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== AES_GCM_KEY_BYTES) throw new RangeError(`an AES-256 key has 32 bytes, not ${key.length}`);
  if (nonce.length !== AES_GCM_NONCE_BYTES)
    throw new RangeError(`an AES-GCM nonce here has 12 bytes, not ${nonce.length}`);
}
