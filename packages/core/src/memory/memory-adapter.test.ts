import { describe, expect, it } from 'vitest';
import type { ApplyDecider } from '../interfaces/change-sink.js';
import type { CapturedBatch, CapturedChange, ChangeBatch, RowVersion } from '../model/change-event.js';
import { MemoryDatabase } from './memory-database.js';
import { MemorySink } from './memory-sink.js';
import { MemorySource } from './memory-source.js';

const items = { namespace: 'app', name: 'items' };
const version: RowVersion = { vv: { b: 1 }, hlc: 10n, writer: 'b', deleted: false };
const writeAll: ApplyDecider = (incoming) => ({
  kind: 'write',
  row: incoming.op === 'delete' ? null : (incoming.after ?? null),
  version: incoming.version,
});

function setup(paced = false) {
  const db = new MemoryDatabase('a', { now: () => 1_000 });
  db.createTable(items, { key: ['id'], columns: { id: 'int64', name: 'text', qty: 'int64' } });
  const source = new MemorySource({ id: 'src', database: db, paced });
  const sink = new MemorySink({ id: 'sink', database: db });
  return { db, source, sink };
}

async function take(stream: AsyncIterable<CapturedBatch>, count: number): Promise<CapturedBatch[]> {
  const out: CapturedBatch[] = [];
  for await (const batch of stream) {
    out.push(batch);
    if (out.length === count) break;
  }
  return out;
}

function batchOf(position: string, ...rows: { id: bigint; name: string }[]): ChangeBatch {
  return {
    id: `b/s/${position}/0`,
    origin: 'b',
    sourceId: 's',
    position,
    events: rows.map((row, index) => ({
      op: 'insert',
      table: items,
      key: [['id', row.id]],
      after: row,
      position,
      tx: { id: 't', commitTimeMicros: 0n, index, last: index === rows.length - 1 },
      origin: 'b',
      sourceId: 's',
      version,
    })),
  };
}

describe('MemoryDatabase + MemorySource', () => {
  it('reports application writes in commit order with zero-padded positions and transaction boundaries', async () => {
    const { db, source } = setup();
    const start = db.endPosition;
    db.write(items, { id: 1n, name: 'a' });
    db.transaction((tx) => {
      tx.write(items, { id: 1n, name: 'b' });
      tx.write(items, { id: 2n, name: 'c' });
    });
    db.delete(items, [['id', 2n]]);
    db.truncate(items);
    const [batch] = await take(source.stream({ after: start }), 1);
    expect(batch!.changes.map((c) => [c.op, c.position, c.tx.index, c.tx.last])).toEqual([
      ['insert', '0000000000000001', 0, true],
      ['update', '0000000000000002', 0, false],
      ['insert', '0000000000000002', 1, true],
      ['delete', '0000000000000003', 0, true],
      ['truncate', '0000000000000004', 0, true],
    ]);
    expect(batch!.resumeAfter).toBe('0000000000000004');
    expect(batch!.changes.every((c) => c.applied === undefined)).toBe(true);
    expect(db.readAll(items)).toEqual([]);
  });

  it('paced: sees only released transactions', async () => {
    const { db, source } = setup(true);
    db.write(items, { id: 1n, name: 'a' });
    db.write(items, { id: 2n, name: 'b' });
    const stream = source.stream({ after: '' })[Symbol.asyncIterator]();
    const next = stream.next();
    source.release(1);
    const first = await next;
    expect((first.value as CapturedBatch).changes.map((c) => c.key)).toEqual([[['id', 1n]]]);
    expect(source.pending()).toBe(1);
    source.release();
    expect((await stream.next()).value!.resumeAfter).toBe('0000000000000002');
  });

  it('snapshot then stream without gap or double', async () => {
    const { db, source } = setup();
    db.write(items, { id: 1n, name: 'a' });
    const stream = source.stream({ snapshot: true })[Symbol.asyncIterator]();
    const snap = (await stream.next()).value!;
    expect(snap.changes.map((c: CapturedChange) => [c.op, c.snapshot])).toEqual([['insert', true]]);
    db.write(items, { id: 2n, name: 'b' });
    const next = (await stream.next()).value!;
    expect(next.changes.map((c: CapturedChange) => c.key)).toEqual([[['id', 2n]]]);
  });
});

describe('MemorySink', () => {
  it('applies atomically, co-writes versions and the applied position, and logs with applied', async () => {
    const { db, source, sink } = setup();
    const start = db.endPosition;
    const outcome = await sink.apply(batchOf('0005', { id: 1n, name: 'x' }, { id: 2n, name: 'y' }), writeAll);
    expect(outcome).toEqual({ applied: 2, skipped: 0, alreadyApplied: false });
    expect(await sink.lastApplied('b', 's')).toBe('0005');
    expect(db.version(items, [['id', 1n]])).toEqual(version);
    const [batch] = await take(source.stream({ after: start }), 1);
    expect(batch!.changes.map((c) => c.applied)).toEqual([version, version]);
    expect(batch!.changes.map((c) => c.tx.id)).toEqual([batch!.changes[0]!.tx.id, batch!.changes[0]!.tx.id]);
  });

  it('recognises a redelivered batch by its position before touching rows', async () => {
    const { db, sink } = setup();
    await sink.apply(batchOf('0005', { id: 1n, name: 'x' }), writeAll);
    const end = db.endPosition;
    const again = await sink.apply(batchOf('0005', { id: 1n, name: 'x' }), writeAll);
    expect(again).toEqual({ applied: 0, skipped: 1, alreadyApplied: true });
    expect(db.endPosition).toBe(end);
  });

  it('rolls the whole batch back and names table, column and index for a value the column cannot hold', async () => {
    const { db, sink } = setup();
    const bad = batchOf('0007', { id: 1n, name: 'x' }, { id: 2n, name: 5n as unknown as string });
    await expect(sink.apply(bad, writeAll)).rejects.toMatchObject({
      name: 'ApplyError',
      where: { table: 'app.items', column: 'name', index: 1 },
    });
    expect(db.read(items, [['id', 1n]])).toBeUndefined();
    expect(await sink.lastApplied('b', 's')).toBeUndefined();
  });

  it('keep stores the version only and is logged as a version-only change', async () => {
    const { db, source, sink } = setup();
    db.write(items, { id: 1n, name: 'local' });
    const start = db.endPosition;
    await sink.apply(batchOf('0009', { id: 1n, name: 'remote' }), () => ({ kind: 'keep', version }));
    expect(db.read(items, [['id', 1n]])).toEqual({ id: 1n, name: 'local' });
    const [batch] = await take(source.stream({ after: start }), 1);
    expect(batch!.changes[0]).toMatchObject({ op: 'update', unchanged: ['id', 'name'], applied: version });
    expect(batch!.changes[0]!.after).toBeUndefined();
  });

  it('applies a truncate row by row through the decider', async () => {
    const { db, sink } = setup();
    db.write(items, { id: 1n, name: 'a' });
    db.write(items, { id: 2n, name: 'b' });
    const truncate = batchOf('0010', { id: 0n, name: '' });
    const event = { ...truncate.events[0]!, op: 'truncate' as const, key: [], after: undefined };
    const seen: unknown[] = [];
    await sink.apply({ ...truncate, events: [event] }, (incoming) => {
      seen.push(incoming.key);
      return { kind: 'write', row: null, version: { ...version, deleted: true } };
    });
    expect(seen).toHaveLength(2);
    expect(db.readAll(items)).toEqual([]);
  });
});
