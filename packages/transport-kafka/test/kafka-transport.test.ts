import type { ChangeBatch } from '@worker-sync/core';
import { ConnectionError } from '@worker-sync/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KafkaTransport, type KafkaTransportOptions } from '../src/index.js';
import { fixtureBatch, rowsOf } from './change-fixtures.js';
import { requireKafka, transportOptions, uniquePrefix, waitUntil } from './kafka-test-env.js';

let brokers: string[];
const open: KafkaTransport[] = [];

beforeAll(async () => {
  brokers = await requireKafka();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

function transport(options: KafkaTransportOptions): KafkaTransport {
  const t = new KafkaTransport(options);
  open.push(t);
  return t;
}

/** Collects delivered changes per row in delivery order. */
function collector() {
  const batches: ChangeBatch[] = [];
  const perRow = new Map<number, number[]>();
  return {
    batches,
    perRow,
    changes: () => [...perRow.values()].reduce((n, seqs) => n + seqs.length, 0),
    handle: async (batch: ChangeBatch) => {
      batches.push(batch);
      for (const { row, seq } of rowsOf(batch)) perRow.set(row, [...(perRow.get(row) ?? []), seq]);
    },
  };
}

const rowsFor = (seq: number) => [seq % 7, (seq + 3) % 7, 10 + (seq % 5)];

describe('KafkaTransport against a real broker', () => {
  it('delivers every change of every batch to the other node, each row in publish order, in both directions', async () => {
    const prefix = uniquePrefix('roundtrip');
    const a = transport(transportOptions(brokers, prefix, ['a', 'b']));
    const b = transport(transportOptions(brokers, prefix, ['a', 'b']));
    const atA = collector();
    const atB = collector();
    await a.subscribe({ node: 'a', handle: atA.handle });
    await b.subscribe({ node: 'b', handle: atB.handle });
    for (let seq = 1; seq <= 30; seq++) {
      await a.publish(fixtureBatch('a', seq, rowsFor(seq)));
      await b.publish(fixtureBatch('b', seq, [100 + (seq % 4)]));
    }
    await waitUntil('30×3 changes at b', () => atB.changes() === 90);
    await waitUntil('30 changes at a', () => atA.changes() === 30);
    for (const seqs of [...atB.perRow.values(), ...atA.perRow.values()]) {
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
    expect(atB.batches.every((batch) => batch.origin === 'a')).toBe(true);
    expect(atA.batches.every((batch) => batch.origin === 'b')).toBe(true);
    // Split sub-batches are separate streams: a sink's per-(origin, sourceId) position never goes backwards.
    const lastPosition = new Map<string, string>();
    for (const batch of atB.batches) {
      expect(batch.sourceId).toMatch(/^memory#.+\/\d+$/);
      expect(batch.position >= (lastPosition.get(batch.sourceId) ?? '')).toBe(true);
      lastPosition.set(batch.sourceId, batch.position);
    }
    expect(a.stats().publishedBatches).toBe(30);
    expect(a.stats().publishedMessages).toBeGreaterThanOrEqual(30);
    expect(b.stats().delivered).toBe(atB.batches.length);
  });

  it('per-table layout: nodes share one topic per table and never receive their own batches', async () => {
    const prefix = uniquePrefix('pertable');
    const options = (node: string) =>
      transportOptions(brokers, prefix, [node], { topics: { prefix, layout: 'per-table', tables: ['shop.items'] } });
    const a = transport(options('a'));
    const b = transport(options('b'));
    const atA = collector();
    const atB = collector();
    await a.subscribe({ node: 'a', handle: atA.handle });
    await b.subscribe({ node: 'b', handle: atB.handle });
    for (let seq = 1; seq <= 10; seq++) {
      await a.publish(fixtureBatch('a', seq, [seq % 3]));
      await b.publish(fixtureBatch('b', seq, [seq % 3]));
    }
    await waitUntil('10 changes at each node', () => atA.changes() === 10 && atB.changes() === 10);
    expect(atA.batches.every((batch) => batch.origin === 'b')).toBe(true);
    expect(atB.batches.every((batch) => batch.origin === 'a')).toBe(true);
    await waitUntil(
      'own batches skipped',
      () => a.stats().skippedOwnOrigin === 10 && b.stats().skippedOwnOrigin === 10,
    );
  });

  it('retries a failing handler with backoff, and after the last attempt dead-letters it while the partition flows on', async () => {
    const prefix = uniquePrefix('retry');
    const a = transport(transportOptions(brokers, prefix, ['a', 'b']));
    const b = transport(
      transportOptions(brokers, prefix, ['a', 'b'], {
        topics: { prefix, nodes: ['a', 'b'], partitions: 1 },
        consumer: { attempts: 3, retryDelayMs: 10, maxRetryDelayMs: 50 },
      }),
    );
    const atB = collector();
    let flaky = 2;
    await b.subscribe({
      node: 'b',
      handle: async (batch) => {
        const seqs = rowsOf(batch).map((r) => r.seq);
        if (seqs.includes(1) && flaky-- > 0) throw new ConnectionError('sink briefly unavailable');
        if (seqs.includes(2)) throw new Error('cannot apply');
        await atB.handle(batch);
      },
    });
    for (let seq = 1; seq <= 3; seq++) await a.publish(fixtureBatch('a', seq, [1]));
    await waitUntil('batches 1 and 3 delivered', () => atB.changes() === 2);
    expect(atB.perRow.get(1)).toEqual([1, 3]);
    // The transient failure is retried; the unknown one goes to the dead-letter topic at once (core's retry policy).
    expect(b.stats().handlerRetries).toBe(2);
    expect(b.stats().deadLettered).toBe(1);
  });

  it('replays from a timestamp: every batch since then is delivered again', async () => {
    const prefix = uniquePrefix('replay');
    const a = transport(transportOptions(brokers, prefix, ['a', 'b']));
    const b = transport(transportOptions(brokers, prefix, ['a', 'b']));
    const atB = collector();
    const sub = await b.subscribe({ node: 'b', handle: atB.handle });
    const before = Date.now() - 1;
    for (let seq = 1; seq <= 5; seq++) await a.publish(fixtureBatch('a', seq, [seq]));
    await waitUntil('5 changes', () => atB.changes() === 5);
    await sub.replay({ timestamp: before });
    await waitUntil('5 changes again', () => atB.changes() === 10);
    for (const seqs of atB.perRow.values()) expect(seqs).toHaveLength(2);
  });
});
