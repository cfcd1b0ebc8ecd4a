import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InProcessTransport,
  lastWriterWins,
  MemoryCheckpointStore,
  MemoryDatabase,
  MemoryDeadLetterStore,
  MemorySink,
  MemorySource,
  type NodeId,
  SyncEngine,
} from '@worker-sync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLog,
  Ed25519Signer,
  exportCheckpointChain,
  exportJsonLines,
  queryChanges,
  SegmentFileStorage,
} from '../src/index.js';
import { runVerifier } from './cli-runner.js';

const TABLE = { namespace: 'public', name: 'items' };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-engine-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function node(id: NodeId, transport: InProcessTransport) {
  const db = new MemoryDatabase(id);
  db.createTable(TABLE, { key: ['id'], columns: { id: 'int64', name: 'text' } });
  const signer = Ed25519Signer.generate(`${id}-2026`);
  const storage = await SegmentFileStorage.open({ directory: join(dir, id), sync: false });
  const log = await AuditLog.open({
    origin: `audit.example/${id}`,
    storage,
    signers: [signer],
    checkpointEvery: 25,
    checkpointIntervalMs: 20,
  });
  const engine = new SyncEngine({
    node: id,
    sources: [new MemorySource({ id: 'db', database: db })],
    sinks: [new MemorySink({ id: 'db', database: db })],
    transport,
    resolver: lastWriterWins,
    checkpoints: new MemoryCheckpointStore(),
    deadLetters: new MemoryDeadLetterStore(),
    batching: { maxEvents: 20, maxDelayMs: 2 },
    audit: log,
  });
  return { id, db, engine, log, storage, signer };
}

describe('the audit log as the SyncEngine audit sink', () => {
  it('records every captured and applied change once, under duplicated delivery, and the CLI verifies it', async () => {
    const transport = new InProcessTransport({ partitions: 2, faults: { duplicate: 0.2, maxDelayMs: 2 } });
    const eu = await node('eu', transport);
    const us = await node('us', transport);
    await eu.engine.start();
    await us.engine.start();
    for (let i = 1n; i <= 40n; i++) (i % 2n === 0n ? eu : us).db.write(TABLE, { id: i, name: `item ${i}` });
    const counts = async (n: typeof eu) => ({
      captured: (await queryChanges(n.storage, { kind: 'captured' })).length,
      applied: (await queryChanges(n.storage, { kind: 'applied' })).length,
    });
    for (let tries = 0; tries < 200; tries++) {
      const [a, b] = [await counts(eu), await counts(us)];
      if (a.captured === 20 && b.captured === 20 && a.applied === 20 && b.applied === 20) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await eu.engine.stop();
    await us.engine.stop();
    expect(await counts(eu)).toEqual({ captured: 20, applied: 20 });
    expect(await counts(us)).toEqual({ captured: 20, applied: 20 });

    await eu.log.checkpoint();
    const notes = await eu.log.checkpoints();
    const files = {
      policy: join(dir, 'eu-policy.json'),
      export: join(dir, 'eu.jsonl'),
      checkpoint: join(dir, 'eu.note'),
      chain: join(dir, 'eu-chain.jsonl'),
    };
    await writeFile(
      files.policy,
      JSON.stringify({ origin: 'audit.example/eu', keys: [{ key: eu.signer.verifierKey }] }),
    );
    await writeFile(files.export, await exportJsonLines(eu.storage));
    await writeFile(files.checkpoint, notes[notes.length - 1] as string);
    await writeFile(files.chain, await exportCheckpointChain(eu.log));
    const replay = runVerifier([
      'verify',
      'replay',
      '--export',
      files.export,
      '--checkpoint',
      files.checkpoint,
      '--policy',
      files.policy,
    ]);
    expect(replay).toMatchObject({ code: 0, report: { ok: true, result: { leaves: 40, treeSize: '40' } } });
    expect(runVerifier(['verify', 'chain', '--checkpoints', files.chain, '--policy', files.policy]).code).toBe(0);
    await eu.log.close();
    await us.log.close();
  }, 60_000);
});
