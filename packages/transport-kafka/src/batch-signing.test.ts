import { generateKeyPairSync } from 'node:crypto';
import { ConfigurationError } from '@worker-sync/core';
import { describe, expect, it } from 'vitest';
import { createBatchAuthenticator, signingInput } from './batch-signing.js';

const payload = new Uint8Array([1, 2, 3, 4, 5]);

function ed25519Pair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

describe('signingInput', () => {
  it('length-prefixes every field so shifted boundaries give different inputs', () => {
    const a = signingInput({ algorithm: 'x', keyId: 'ab', codecVersion: '1', origin: 'c' }, payload);
    const b = signingInput({ algorithm: 'x', keyId: 'a', codecVersion: '1', origin: 'bc' }, payload);
    expect(a.equals(b)).toBe(false);
  });
});

describe('hmac-sha256 batch authenticator', () => {
  const config = {
    algorithm: 'hmac-sha256' as const,
    keyId: 'k2',
    keys: { k1: 'an-old-shared-secret-000', k2: 'the-current-shared-secret' },
  };
  const auth = createBatchAuthenticator(config);

  it('verifies what it signed', () => {
    const sig = auth.sign('eu-1', '1', payload);
    expect(sig.keyId).toBe('k2');
    expect(auth.verify('eu-1', '1', payload, sig)).toEqual({ ok: true });
  });

  it('rejects a changed payload, origin or codec version as forged', () => {
    const sig = auth.sign('eu-1', '1', payload);
    expect(auth.verify('eu-1', '1', new Uint8Array([1, 2, 3, 4, 6]), sig)).toEqual({ ok: false, failure: 'forged' });
    expect(auth.verify('us-1', '1', payload, sig)).toEqual({ ok: false, failure: 'forged' });
    expect(auth.verify('eu-1', '2', payload, sig)).toEqual({ ok: false, failure: 'forged' });
  });

  it('rejects a missing signature as unsigned and an unknown key id as unknown-key', () => {
    const sig = auth.sign('eu-1', '1', payload);
    expect(auth.verify('eu-1', '1', payload, undefined)).toEqual({ ok: false, failure: 'unsigned' });
    expect(auth.verify('eu-1', '1', payload, { ...sig, keyId: 'k9' })).toEqual({ ok: false, failure: 'unknown-key' });
  });

  it('still verifies batches signed with a rotated-out key that is kept in keys', () => {
    const old = createBatchAuthenticator({ ...config, keyId: 'k1' });
    expect(auth.verify('eu-1', '1', payload, old.sign('eu-1', '1', payload))).toEqual({ ok: true });
  });

  it('rejects a signature made with another secret under the same key id', () => {
    const other = createBatchAuthenticator({ ...config, keys: { ...config.keys, k2: 'an-attacker-secret-value' } });
    expect(auth.verify('eu-1', '1', payload, other.sign('eu-1', '1', payload))).toEqual({
      ok: false,
      failure: 'forged',
    });
  });

  it('refuses a key id that is not among the keys', () => {
    expect(() => createBatchAuthenticator({ ...config, keyId: 'nope' })).toThrow(ConfigurationError);
  });
});

describe('ed25519 batch authenticator', () => {
  const eu = ed25519Pair();
  const us = ed25519Pair();
  const publicKeys = { eu: { node: 'eu-1', publicKey: eu.publicKey }, us: { node: 'us-1', publicKey: us.publicKey } };
  const euAuth = createBatchAuthenticator({ algorithm: 'ed25519', keyId: 'eu', privateKey: eu.privateKey, publicKeys });
  const usAuth = createBatchAuthenticator({ algorithm: 'ed25519', keyId: 'us', privateKey: us.privateKey, publicKeys });

  it("verifies a node's batch with that node's public key", () => {
    expect(usAuth.verify('eu-1', '1', payload, euAuth.sign('eu-1', '1', payload))).toEqual({ ok: true });
  });

  it('rejects a batch a node signed for another origin: a key speaks only for its own node', () => {
    const sig = euAuth.sign('us-1', '1', payload);
    expect(usAuth.verify('us-1', '1', payload, sig)).toEqual({ ok: false, failure: 'unknown-key' });
  });

  it('rejects a tampered payload as forged', () => {
    const sig = euAuth.sign('eu-1', '1', payload);
    expect(usAuth.verify('eu-1', '1', new Uint8Array([9]), sig)).toEqual({ ok: false, failure: 'forged' });
  });

  it('names the field of an unreadable key without quoting it', () => {
    const bad = () =>
      createBatchAuthenticator({ algorithm: 'ed25519', keyId: 'eu', privateKey: 'SECRET-garbage', publicKeys });
    expect(bad).toThrow(/signing\.privateKey/);
    expect(bad).not.toThrow(/SECRET/);
  });
});
