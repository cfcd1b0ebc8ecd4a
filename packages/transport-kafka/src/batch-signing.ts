import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as signEd25519,
  timingSafeEqual,
  verify as verifyEd25519,
} from 'node:crypto';
import { ConfigurationError } from '@worker-sync/core';
import type { KafkaSigningConfig } from './kafka-config.js';

/** The header fields a signature covers, besides the payload bytes. */
export interface SignedFields {
  readonly algorithm: string;
  readonly keyId: string;
  readonly codecVersion: string;
  readonly origin: string;
}

/** Separates this signature's purpose from any other use of the same key. */
const DOMAIN = 'worker-sync/kafka-batch/v1';

/**
 * The canonical signing input: the domain tag, each signed header field and the payload, each prefixed with its
 * byte length (big-endian u32) so that no two different field sets share an encoding.
 */
export function signingInput(fields: SignedFields, payload: Uint8Array): Buffer {
  const parts: Buffer[] = [DOMAIN, fields.algorithm, fields.keyId, fields.codecVersion, fields.origin].map((s) =>
    Buffer.from(s, 'utf8'),
  );
  parts.push(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  const out: Buffer[] = [];
  for (const part of parts) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    out.push(length, part);
  }
  return Buffer.concat(out);
}

/** Why a batch failed verification. */
export type VerificationFailure = 'unsigned' | 'unknown-key' | 'forged';

/** The outcome of {@link BatchAuthenticator.verify}. */
export type Verification = { readonly ok: true } | { readonly ok: false; readonly failure: VerificationFailure };

/** What a signature header carries. */
export interface BatchSignature {
  readonly algorithm: string;
  readonly keyId: string;
  readonly signature: Uint8Array;
}

/**
 * Signs the batches this node publishes and verifies the ones it consumes.
 *
 * With `hmac-sha256` every holder of the shared key can sign for any origin; with `ed25519` a key id is bound to
 * one node, so a node can sign only its own batches.
 *
 * @example
 * ```ts
 * const auth = createBatchAuthenticator({ algorithm: 'hmac-sha256', keyId: 'k1', keys: { k1: secret } });
 * const sig = auth.sign(fields, payload);
 * auth.verify(fields, payload, sig.signature); // { ok: true }
 * ```
 */
export interface BatchAuthenticator {
  /** Algorithm and key id this node signs with. */
  readonly algorithm: string;
  readonly keyId: string;
  sign(origin: string, codecVersion: string, payload: Uint8Array): BatchSignature;
  verify(
    origin: string,
    codecVersion: string,
    payload: Uint8Array,
    signature: BatchSignature | undefined,
  ): Verification;
}

/** Builds the authenticator for a validated signing configuration; the keys are parsed once here. */
export function createBatchAuthenticator(config: KafkaSigningConfig): BatchAuthenticator {
  return config.algorithm === 'hmac-sha256' ? hmacAuthenticator(config) : ed25519Authenticator(config);
}

function hmacAuthenticator(config: Extract<KafkaSigningConfig, { algorithm: 'hmac-sha256' }>): BatchAuthenticator {
  const keys = new Map(Object.entries(config.keys).map(([id, k]) => [id, typeof k === 'string' ? Buffer.from(k) : k]));
  const own = keys.get(config.keyId);
  if (own === undefined) throw new ConfigurationError(`signing.keyId: "${config.keyId}" is not one of signing.keys`);
  const mac = (key: Uint8Array, fields: SignedFields, payload: Uint8Array): Buffer =>
    createHmac('sha256', key).update(signingInput(fields, payload)).digest();
  return {
    algorithm: config.algorithm,
    keyId: config.keyId,
    sign(origin, codecVersion, payload) {
      const fields = { algorithm: config.algorithm, keyId: config.keyId, codecVersion, origin };
      return { algorithm: config.algorithm, keyId: config.keyId, signature: mac(own, fields, payload) };
    },
    verify(origin, codecVersion, payload, signature) {
      if (signature === undefined) return { ok: false, failure: 'unsigned' };
      const key = signature.algorithm === config.algorithm ? keys.get(signature.keyId) : undefined;
      if (key === undefined) return { ok: false, failure: 'unknown-key' };
      const expected = mac(
        key,
        { algorithm: signature.algorithm, keyId: signature.keyId, codecVersion, origin },
        payload,
      );
      const given = Buffer.from(signature.signature);
      const ok = given.length === expected.length && timingSafeEqual(given, expected);
      return ok ? { ok: true } : { ok: false, failure: 'forged' };
    },
  };
}

function ed25519Authenticator(config: Extract<KafkaSigningConfig, { algorithm: 'ed25519' }>): BatchAuthenticator {
  const privateKey = parseKey(() => createPrivateKey(config.privateKey), 'signing.privateKey');
  const trusted = new Map<string, { node: string; key: KeyObject }>();
  for (const [id, entry] of Object.entries(config.publicKeys)) {
    trusted.set(id, {
      node: entry.node,
      key: parseKey(() => createPublicKey(entry.publicKey), `signing.publicKeys.${id}`),
    });
  }
  return {
    algorithm: config.algorithm,
    keyId: config.keyId,
    sign(origin, codecVersion, payload) {
      const fields = { algorithm: config.algorithm, keyId: config.keyId, codecVersion, origin };
      const signature = signEd25519(null, signingInput(fields, payload), privateKey);
      return { algorithm: config.algorithm, keyId: config.keyId, signature };
    },
    verify(origin, codecVersion, payload, signature) {
      if (signature === undefined) return { ok: false, failure: 'unsigned' };
      const entry = signature.algorithm === config.algorithm ? trusted.get(signature.keyId) : undefined;
      // A key speaks only for its own node: a valid signature by another node's key is still a forgery.
      if (entry === undefined || entry.node !== origin) return { ok: false, failure: 'unknown-key' };
      const fields = { algorithm: signature.algorithm, keyId: signature.keyId, codecVersion, origin };
      const ok = verifyEd25519(null, signingInput(fields, payload), entry.key, signature.signature);
      return ok ? { ok: true } : { ok: false, failure: 'forged' };
    },
  };
}

function parseKey(parse: () => KeyObject, field: string): KeyObject {
  let key: KeyObject;
  try {
    key = parse();
  } catch {
    // The cause is dropped on purpose: crypto errors can quote the key material.
    throw new ConfigurationError(`${field}: not a readable PEM key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ConfigurationError(`${field}: expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key;
}
