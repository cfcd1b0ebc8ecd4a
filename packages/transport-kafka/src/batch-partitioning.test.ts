import { type ChangeBatch, type ChangeEvent, rowIdentity } from '@worker-sync/core';
import { describe, expect, it } from 'vitest';
import { partitionBatch, partitionForKey } from './batch-partitioning.js';

const table = { namespace: 'shop', name: 'items' };

function event(id: number, index: number): ChangeEvent {
  return {
    op: 'update',
    table,
    key: [['id', BigInt(id)]],
    after: { id: BigInt(id) },
    position: '0007',
    tx: { id: 't', commitTimeMicros: 0n, index, last: false },
    origin: 'eu-1',
    sourceId: 'pg',
    version: { vv: { 'eu-1': index + 1 }, hlc: 1n, writer: 'eu-1', deleted: false },
  };
}

const batch: ChangeBatch = {
  id: 'eu-1/pg/0007/0',
  origin: 'eu-1',
  sourceId: 'pg',
  position: '0009',
  events: [1, 2, 3, 1, 4, 2, 5, 6, 1].map((id, index) => event(id, index)),
};
const plan = { topicOf: () => 'changes', partitionsOf: () => 4 };

describe('partitionForKey', () => {
  it("matches Kafka's murmur2 partitioning (Java client test vectors)", () => {
    for (const [key, hash] of [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
    ] as const) {
      expect(partitionForKey('t', key, 1000)).toBe((hash & 0x7fffffff) % 1000);
    }
  });
});

describe('partitionBatch', () => {
  const parts = partitionBatch(batch, plan);

  it('puts every change of a row on the partition of its row identity, keeping commit order', () => {
    for (const part of parts) {
      for (const e of part.batch.events) {
        expect(partitionForKey('changes', rowIdentity(e.table, e.key), 4)).toBe(part.partition);
      }
      const indexes = part.batch.events.map((e) => e.tx.index);
      expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    }
    expect(parts.flatMap((p) => p.batch.events).length).toBe(batch.events.length);
  });

  it('makes each part a batch of its own stream with a stable id', () => {
    for (const part of parts) {
      const first = part.batch.events[0] as ChangeEvent;
      expect(part.batch.id).toBe(`eu-1/pg/0007/${first.tx.index}`);
      expect(part.batch.sourceId).toBe(`pg#changes/${part.partition}`);
      expect(part.batch.position).toBe('0009');
      expect(part.key).toBe(rowIdentity(first.table, first.key));
    }
    expect(partitionBatch(batch, plan)).toEqual(parts);
  });
});

describe('partitionBatch with a truncate', () => {
  it('puts the truncate on every partition of its topic, after the changes published before it there', () => {
    const truncate: ChangeEvent = { ...event(0, 9), op: 'truncate', key: [], after: undefined };
    const withTruncate: ChangeBatch = {
      ...batch,
      events: [...batch.events.slice(0, 9), { ...truncate, tx: { ...truncate.tx, index: 9 } }],
    };
    const parts = partitionBatch(withTruncate, plan);
    expect(parts.map((p) => p.partition).sort()).toEqual([0, 1, 2, 3]);
    for (const part of parts) expect(part.batch.events.at(-1)?.op).toBe('truncate');
  });
});
