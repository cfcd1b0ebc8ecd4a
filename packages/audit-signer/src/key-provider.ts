import { randomBytes } from 'node:crypto';
import { AES_GCM_NONCE_BYTES, openAesGcm, sealAesGcm } from './aes-gcm.js';

/**
 * Wraps and unwraps data keys with a key-encryption key the provider holds (a KMS, an HSM, or the in-process
 * {@link LocalKeyProvider}). `context` is bound as additional data, so a wrapped key only opens for its own subject.
 */
export interface KeyProvider {
  /** Id of the key-encryption key, recorded with every wrapped data key. */
  readonly kekId: string;
  wrap(dataKey: Uint8Array, context: string): Promise<Uint8Array>;
  unwrap(wrapped: Uint8Array, context: string): Promise<Uint8Array>;
}

/**
 * An in-process key provider: AES-256-GCM key wrapping under a 32-byte KEK held in memory. For tests and embedded
 * use; production hosts implement {@link KeyProvider} on their KMS.
 */
export class LocalKeyProvider implements KeyProvider {
  private readonly kek: Buffer;

  constructor(
    readonly kekId: string,
    kek: Uint8Array,
  ) {
    if (kek.length !== 32) throw new TypeError(`a key-encryption key has 32 bytes, not ${kek.length}`);
    this.kek = Buffer.from(kek);
  }

  async wrap(dataKey: Uint8Array, context: string): Promise<Uint8Array> {
    const nonce = randomBytes(AES_GCM_NONCE_BYTES);
    return Buffer.concat([nonce, sealAesGcm(this.kek, nonce, Buffer.from(context, 'utf8'), dataKey)]);
  }

  async unwrap(wrapped: Uint8Array, context: string): Promise<Uint8Array> {
    const w = Buffer.from(wrapped);
    const nonce = w.subarray(0, AES_GCM_NONCE_BYTES);
    return openAesGcm(this.kek, nonce, Buffer.from(context, 'utf8'), w.subarray(AES_GCM_NONCE_BYTES));
  }
}
