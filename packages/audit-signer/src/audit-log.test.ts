import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.js';
import type { AuditStorage } from './audit-storage.js';
import { exportCheckpointChain, exportCsv, exportJsonLines, inclusionBundle } from './export.js';
import { decodeLeaf } from './leaf-encoding.js';
import { queryChanges } from './query.js';
import { SegmentFileStorage } from './segment-file-storage.js';
import { Ed25519Signer } from './signer.js';
import { capturedRecord } from './test-events.js';
import { parseTrustPolicy } from './trust-policy.js';
import { verifyChain, verifyInclusionBundle, verifyReplay } from './verifier/verify-commands.js';

const ORIGIN = 'audit.example/orders';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function openLog(signer: Ed25519Signer) {
  const storage = await SegmentFileStorage.open({ directory: dir, sync: false });
  const log = await AuditLog.open({
    origin: ORIGIN,
    storage,
    signers: [signer],
    checkpointIntervalMs: 0,
    checkpointEvery: 1_000_000,
  });
  return { storage, log };
}

function policyFor(
  ...keys: { key: string; validFromSize?: string; validUntilSize?: string; revokedFromSize?: string }[]
) {
  return parseTrustPolicy(JSON.stringify({ origin: ORIGIN, keys }));
}

describe('AuditLog', () => {
  it('forgets the changes of a batch that storage refused, so their retry is written, not taken for a duplicate', async () => {
    const inner = await SegmentFileStorage.open({ directory: dir, sync: false });
    let refuse = true;
    const storage: AuditStorage = {
      scanLeaves: (visit) => inner.scanLeaves(visit),
      readCheckpoints: () => inner.readCheckpoints(),
      appendCheckpoint: (note) => inner.appendCheckpoint(note),
      close: () => inner.close(),
      appendLeaves: async (first, leaves) => {
        if (refuse) throw new Error('disk full');
        await inner.appendLeaves(first, leaves);
      },
    };
    const log = await AuditLog.open({
      origin: ORIGIN,
      storage,
      signers: [Ed25519Signer.generate('orders-2026')],
      checkpointIntervalMs: 0,
    });
    await log.appendRecords([capturedRecord(1)]).catch(() => undefined);
    refuse = false;
    await log.appendRecords([capturedRecord(1)]).catch(() => undefined);
    refuse = true;
    await expect(log.appendRecords([capturedRecord(2), capturedRecord(3), capturedRecord(2)])).rejects.toThrow(
      'disk full',
    );
    expect(log.size).toBe(1);
    refuse = false;
    expect(await log.appendRecords([capturedRecord(2), capturedRecord(3), capturedRecord(2)])).toEqual({
      appended: 2,
      duplicates: 1,
      firstIndex: 1,
    });
    expect(await log.appendRecords([capturedRecord(1), capturedRecord(3)])).toEqual({ appended: 0, duplicates: 2 });
    await log.close();
  });

  it('writes exactly one leaf per change under redelivery, within and across batches and reopen', async () => {
    const signer = Ed25519Signer.generate('orders-2026');
    let { log } = await openLog(signer);
    const first = await log.appendRecords([capturedRecord(1), capturedRecord(2), capturedRecord(1)]);
    expect(first).toEqual({ appended: 2, duplicates: 1, firstIndex: 0 });
    expect((await log.appendRecords([capturedRecord(2), capturedRecord(3)])).appended).toBe(1);
    const root = log.root();
    await log.close();
    ({ log } = await openLog(signer));
    expect(log.size).toBe(3);
    expect(log.root()).toEqual(root);
    expect((await log.appendRecords([capturedRecord(1), capturedRecord(3)])).appended).toBe(0);
    // Same position, another index in the transaction, is another change.
    expect((await log.appendRecords([capturedRecord(1, 1, 1)])).appended).toBe(1);
    await log.close();
  });

  it('exports leaves that replay to the signed root, with inclusion bundles and a consistent checkpoint chain', async () => {
    const signer = Ed25519Signer.generate('orders-2026');
    const { log, storage } = await openLog(signer);
    const policy = policyFor({ key: signer.verifierKey });
    for (let batch = 0; batch < 4; batch++) {
      await log.appendRecords(Array.from({ length: 7 }, (_, i) => capturedRecord(batch * 7 + i + 1)));
      await log.checkpoint();
    }
    const notes = await log.checkpoints();
    expect(notes.map((n) => n.split('\n')[1])).toEqual(['7', '14', '21', '28']);
    const exported = await exportJsonLines(storage);
    expect(verifyReplay(exported, notes[3] as string, policy)).toMatchObject({ leaves: 28, treeSize: '28' });
    expect(verifyReplay(exported, notes[1] as string, policy)).toMatchObject({ treeSize: '14' });
    expect(verifyChain(await exportCheckpointChain(log), policy)).toMatchObject({ checkpoints: 4, treeSize: '28' });
    const bundle = await inclusionBundle(log, storage, 9);
    expect(verifyInclusionBundle(JSON.stringify(bundle), policy)).toMatchObject({ index: 9, treeSize: '28' });
    await log.close();
  });

  it('rotates keys through a key-transition leaf, double-signing during the overlap', async () => {
    const old = Ed25519Signer.generate('orders-2025');
    const next = Ed25519Signer.generate('orders-2026');
    const { log, storage } = await openLog(old);
    await log.appendRecords([capturedRecord(1)]);
    await log.checkpoint();
    const addedAt = await log.rotateKey(next);
    const during = (await log.checkpoint())?.note as string;
    expect(during.match(/^\u2014 /gmu)?.length).toBe(2);
    const retiredAt = await log.retireKey('orders-2025');
    const after = (await log.checkpoint())?.note as string;
    expect(after.match(/^\u2014 /gmu)?.length).toBe(1);
    const policy = policyFor(
      { key: old.verifierKey, validUntilSize: String(retiredAt + 1) },
      { key: next.verifierKey, validFromSize: String(addedAt + 1) },
    );
    expect(verifyChain(await exportCheckpointChain(log), policy)).toMatchObject({ checkpoints: 3 });
    const line = (await exportJsonLines(storage)).split('\n')[addedAt] as string;
    const transition = decodeLeaf(Buffer.from(JSON.parse(line).leaf, 'base64'));
    expect(transition).toMatchObject({ type: 'key-transition', details: { action: 'add', keyName: 'orders-2026' } });
    await log.close();
  });

  it('cuts checkpoints in the background every N entries without blocking appends', async () => {
    const signer = Ed25519Signer.generate('orders-2026');
    const storage = await SegmentFileStorage.open({ directory: dir, sync: false });
    const log = await AuditLog.open({
      origin: ORIGIN,
      storage,
      signers: [signer],
      checkpointIntervalMs: 0,
      checkpointEvery: 10,
    });
    const cut = new Promise<number>((resolve) => log.onCheckpoint((cp) => resolve(cp.size)));
    await log.appendRecords(Array.from({ length: 12 }, (_, i) => capturedRecord(i + 1)));
    expect(await cut).toBe(12);
    await log.close();
  });

  it('answers queries by table, key, time, origin and op, and exports CSV', async () => {
    const signer = Ed25519Signer.generate('orders-2026');
    const { log, storage } = await openLog(signer);
    await log.appendRecords([capturedRecord(1), capturedRecord(2), capturedRecord(3)]);
    await log.appendControl('resync', { reason: 'slot_lost' });
    const table = { namespace: 'public', name: 'orders' };
    expect((await queryChanges(storage, { table, key: [['id', 2n]] })).map((h) => h.index)).toEqual([1]);
    expect((await queryChanges(storage, { origin: 'node-a', op: 'update' })).length).toBe(3);
    const t0 = 1_700_000_000_000_000n;
    expect((await queryChanges(storage, { fromMicros: t0 + 2n, toMicros: t0 + 4n })).map((h) => h.index)).toEqual([
      1, 2,
    ]);
    expect((await queryChanges(storage, { origin: 'node-b' })).length).toBe(0);
    const csv = (await exportCsv(storage)).split('\r\n');
    expect(csv[0]).toMatch(/^index,type,kind/);
    expect(csv.length).toBe(6);
    expect(csv[4]).toMatch(/^3,resync,/);
    await log.close();
  });
});
