import { randomBytes } from 'node:crypto';
import { AES_GCM_NONCE_BYTES, openAesGcm, sealAesGcm } from './aes-gcm.js';
import type { KeyProvider } from './key-provider.js';
import { SequencerLock } from './sequencer-lock.js';

/** What a sensitive value is bound to: a ciphertext moved to another row, column or version no longer opens. */
export interface ColumnContext {
  readonly table: string;
  readonly column: string;
  /** The row identity (core's rowIdentity). */
  readonly row: string;
  readonly rowVersion: string;
}

/** A wrapped data key of one data subject, as the host persists it (never the raw key). */
export interface StoredDataKey {
  readonly subject: string;
  readonly dekId: string;
  readonly kekId: string;
  readonly wrapped: Uint8Array;
  /** Encryptions done under this key so far. */
  used: number;
}

/** Options of {@link ColumnEncryptor}. */
export interface ColumnEncryptorOptions {
  readonly keyProvider: KeyProvider;
  /**
   * Encryptions allowed per data key before a new one is rolled (default 2^32, the NIST SP 800-38D limit for random
   * 96-bit nonces).
   */
  readonly nonceBudget?: number;
}

const FORMAT_VERSION = 1;

/**
 * Per-column AES-256-GCM envelope encryption with one data key per data subject. The ciphertext is
 * `v1 ‖ len ‖ dekId ‖ nonce ‖ ciphertext ‖ tag`; the additional data binds table, column, row, row version and
 * data-key id. Erasing a subject ({@link shred}) destroys its keys: its ciphertexts can never be opened again,
 * while audit leaves (which only hash ciphertexts) and every root and proof stay valid.
 *
 * @example
 * ```ts
 * const enc = new ColumnEncryptor({ keyProvider: new LocalKeyProvider('kek-1', kek) });
 * const sealed = await enc.encrypt('subject-17', ctx, Buffer.from('alice@example.com'));
 * ```
 */
export class ColumnEncryptor {
  private readonly keys = new Map<string, StoredDataKey[]>();
  private readonly nonceBudget: number;
  private readonly lock = new SequencerLock();

  constructor(private readonly options: ColumnEncryptorOptions) {
    this.nonceBudget = options.nonceBudget ?? 2 ** 32;
  }

  /** Encrypts one column value for `subject`, rolling to a new data key when the current one's budget is spent. */
  async encrypt(subject: string, context: ColumnContext, plaintext: Uint8Array): Promise<Uint8Array> {
    // Key choice and the use count are serialised so concurrent encryptions never overrun the nonce budget.
    const dek = await this.lock.run(async () => {
      const current = await this.currentKey(subject);
      current.used += 1;
      return current;
    });
    const raw = await this.options.keyProvider.unwrap(dek.wrapped, wrapContext(subject, dek.dekId));
    const nonce = randomBytes(AES_GCM_NONCE_BYTES);
    const body = sealAesGcm(raw, nonce, aad(context, dek.dekId), plaintext);
    const id = Buffer.from(dek.dekId, 'utf8');
    return Buffer.concat([Buffer.from([FORMAT_VERSION, id.length]), id, nonce, body]);
  }

  /** Decrypts a value; fails when the subject was shredded or the value was moved to another context. */
  async decrypt(subject: string, context: ColumnContext, sealed: Uint8Array): Promise<Uint8Array> {
    const s = Buffer.from(sealed);
    if (s[0] !== FORMAT_VERSION)
      throw new Error(`encrypted value of ${context.table}.${context.column} has an unknown format`);
    const idLength = s[1] as number;
    const dekId = s.subarray(2, 2 + idLength).toString('utf8');
    const dek = (this.keys.get(subject) ?? []).find((k) => k.dekId === dekId);
    if (dek === undefined)
      throw new Error(`no data key ${dekId} for ${context.table}.${context.column}: erased or unknown`);
    const raw = await this.options.keyProvider.unwrap(dek.wrapped, wrapContext(subject, dekId));
    const bodyStart = 2 + idLength + AES_GCM_NONCE_BYTES;
    return openAesGcm(raw, s.subarray(2 + idLength, bodyStart), aad(context, dekId), s.subarray(bodyStart));
  }

  /** Crypto-shreds a subject: destroys every data key it had; returns their ids for the redaction leaf. */
  shred(subject: string): string[] {
    const ids = (this.keys.get(subject) ?? []).map((k) => k.dekId);
    this.keys.delete(subject);
    return ids;
  }

  /** The wrapped keys of a subject, for the host to persist. */
  dataKeys(subject: string): readonly StoredDataKey[] {
    return this.keys.get(subject) ?? [];
  }

  private async currentKey(subject: string): Promise<StoredDataKey> {
    const list = this.keys.get(subject) ?? [];
    const last = list[list.length - 1];
    if (last !== undefined && last.used < this.nonceBudget) return last;
    const dekId = randomBytes(8).toString('hex');
    const wrapped = await this.options.keyProvider.wrap(randomBytes(32), wrapContext(subject, dekId));
    const dek: StoredDataKey = { subject, dekId, kekId: this.options.keyProvider.kekId, wrapped, used: 0 };
    this.keys.set(subject, [...list, dek]);
    return dek;
  }
}

function aad(context: ColumnContext, dekId: string): Buffer {
  return Buffer.from(
    JSON.stringify([FORMAT_VERSION, context.table, context.column, context.row, context.rowVersion, dekId]),
    'utf8',
  );
}

function wrapContext(subject: string, dekId: string): string {
  return JSON.stringify(['worker-sync-dek', subject, dekId]);
}
