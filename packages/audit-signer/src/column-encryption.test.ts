import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.js';
import { type ColumnContext, ColumnEncryptor } from './column-encryption.js';
import { LocalKeyProvider } from './key-provider.js';
import { SegmentFileStorage } from './segment-file-storage.js';
import { Ed25519Signer } from './signer.js';
import { orderEvent } from './test-events.js';
import { verifyInclusion } from './verifier/verify-inclusion.js';

const ctx: ColumnContext = { table: 'public.orders', column: 'email', row: 'public.orders/AQJpZANU', rowVersion: '7' };

function encryptor(nonceBudget?: number) {
  return new ColumnEncryptor({
    keyProvider: new LocalKeyProvider('kek-1', randomBytes(32)),
    ...(nonceBudget === undefined ? {} : { nonceBudget }),
  });
}

describe('ColumnEncryptor', () => {
  it('round-trips a value and never emits the plaintext', async () => {
    const enc = encryptor();
    const sealed = await enc.encrypt('subject-1', ctx, Buffer.from('alice@example.com'));
    expect(Buffer.from(sealed).includes(Buffer.from('alice'))).toBe(false);
    expect(Buffer.from(await enc.decrypt('subject-1', ctx, sealed)).toString()).toBe('alice@example.com');
  });

  it('binds table, column, row and row version: a moved ciphertext does not open', async () => {
    const enc = encryptor();
    const sealed = await enc.encrypt('subject-1', ctx, Buffer.from('alice@example.com'));
    for (const moved of [
      { ...ctx, table: 'public.users' },
      { ...ctx, column: 'name' },
      { ...ctx, row: 'public.orders/other' },
      { ...ctx, rowVersion: '8' },
    ]) {
      await expect(enc.decrypt('subject-1', moved, sealed)).rejects.toThrow();
    }
  });

  it('rolls to a new data key when the nonce budget is spent, and old values still open', async () => {
    const enc = encryptor(2);
    const values = await Promise.all([1, 2, 3].map(async (i) => enc.encrypt('subject-1', ctx, Buffer.from(`v${i}`))));
    expect(enc.dataKeys('subject-1').length).toBe(2);
    for (const [i, v] of values.entries())
      expect(Buffer.from(await enc.decrypt('subject-1', ctx, v)).toString()).toBe(`v${i + 1}`);
  });

  it('crypto-shredding makes the data unreadable while every root and proof stays valid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audit-shred-'));
    try {
      const enc = encryptor();
      const log = await AuditLog.open({
        origin: 'audit.example/orders',
        storage: await SegmentFileStorage.open({ directory: dir, sync: false }),
        signers: [Ed25519Signer.generate('orders-2026')],
        checkpointIntervalMs: 0,
      });
      const sealed = await enc.encrypt('subject-1', ctx, Buffer.from('alice@example.com'));
      const event = { ...orderEvent(1), after: { id: 1n, email: sealed } };
      await log.appendRecords([{ kind: 'captured', node: 'node-a', event }]);
      const rootBefore = log.root();
      const proofBefore = log.inclusionProof(0);
      const dekIds = enc.shred('subject-1');
      await log.appendControl('redaction', { subject: 'subject-1', dekIds: dekIds.join(','), basis: 'gdpr-art-17' });
      await expect(enc.decrypt('subject-1', ctx, sealed)).rejects.toThrow(/erased or unknown/);
      expect(log.root(1)).toEqual(rootBefore);
      expect(verifyInclusion(0n, 1n, log.leafHash(0), proofBefore, rootBefore)).toBe(true);
      expect(verifyInclusion(0n, 2n, log.leafHash(0), log.inclusionProof(0, 2), log.root(2))).toBe(true);
      await log.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
