import { describe, expect, it } from 'vitest';
import { ApplyError, ConnectionError } from '../errors.js';
import type { ChangeBatch } from '../model/change-event.js';
import { MemoryDeadLetterStore } from '../store/memory-dead-letter-store.js';
import { InProcessTransport } from './in-process-transport.js';

const table = { namespace: 'app', name: 'items' };

function batch(origin: string, position: string, ids: bigint[]): ChangeBatch {
  return {
    id: `${origin}/s/${position}/0`,
    origin,
    sourceId: 's',
    position,
    events: ids.map((id, index) => ({
      op: 'update',
      table,
      key: [['id', id]],
      after: { id, seq: BigInt(position) },
      position,
      tx: { id: position, commitTimeMicros: 1n, index, last: index === ids.length - 1 },
      origin,
      sourceId: 's',
      version: { vv: { [origin]: Number(position) }, hlc: BigInt(position), writer: origin, deleted: false },
    })),
  };
}

function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1664525 + 1013904223) % 4294967296;
    return a / 4294967296;
  };
}

describe('InProcessTransport', () => {
  it('delivers through the codec, never to the publisher, splitting batches per partition', async () => {
    const transport = new InProcessTransport({ partitions: 2, manual: true });
    const seen: ChangeBatch[] = [];
    await transport.subscribe({ node: 'a', handle: async () => expect.fail('delivered to its own publisher') });
    await transport.subscribe({ node: 'b', handle: async (b) => void seen.push(b) });
    await transport.publish({ ...batch('a', '1', [1n, 2n, 3n, 4n]), trace: { traceparent: 'x' } });
    while (await transport.step(() => 0));
    expect(seen.flatMap((b) => b.events.map((e) => e.key[0]![1])).sort()).toEqual([1n, 2n, 3n, 4n]);
    expect(new Set(seen.map((b) => b.sourceId)).size).toBe(seen.length);
    expect(seen.every((b) => b.sourceId.startsWith('s#') && b.trace?.traceparent === 'x')).toBe(true);
  });

  it('keeps per-row order under random interleaving of partitions and duplicates', async () => {
    const random = seeded(7);
    const transport = new InProcessTransport({ partitions: 3, manual: true, faults: { duplicate: 0.5, random } });
    const order = new Map<bigint, bigint[]>();
    await transport.subscribe({
      node: 'b',
      handle: async (b) => {
        for (const e of b.events)
          order.set(e.key[0]![1] as bigint, [...(order.get(e.key[0]![1] as bigint) ?? []), e.after!.seq as bigint]);
      },
    });
    for (let p = 1; p <= 20; p++) await transport.publish(batch('a', String(p).padStart(4, '0'), [1n, 2n, 3n, 4n, 5n]));
    while (await transport.step(random));
    for (const seqs of order.values()) {
      const unique = seqs.filter((s, i) => i === 0 || s !== seqs[i - 1]);
      expect(unique).toEqual([...unique].sort((x, y) => Number(x - y)));
      expect(new Set(unique).size).toBe(20);
    }
  });

  it('redelivers after a rejection and dead-letters after the last attempt (automatic mode)', async () => {
    const deadLetters = new MemoryDeadLetterStore();
    const transport = new InProcessTransport({
      partitions: 1,
      deadLetters,
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 },
    });
    let calls = 0;
    const handled: string[] = [];
    await transport.subscribe({
      node: 'b',
      handle: async (b) => {
        calls += 1;
        if (b.position === '0001' && calls < 3) throw new ConnectionError('busy');
        if (b.position === '0002') throw new ApplyError('column qty of app.items cannot hold text', {}, true);
        handled.push(b.position);
      },
    });
    await transport.publish(batch('a', '0001', [1n]));
    await transport.publish(batch('a', '0002', [1n]));
    await transport.publish(batch('a', '0003', [1n]));
    for (let i = 0; i < 200 && handled.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(handled).toEqual(['0001', '0003']);
    const letters = await deadLetters.list();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ stage: 'apply', code: 'APPLY', batchId: 'a/s/0002/0' });
    expect(letters[0]!.reason).toContain('qty');
    await transport.close();
  });

  it("delivers every other node's message while nodes publish and receive at once (automatic mode)", async () => {
    const transport = new InProcessTransport({ partitions: 2, faults: { maxDelayMs: 2, duplicate: 0.3 } });
    const got = { a: new Set<string>(), b: new Set<string>() };
    for (const node of ['a', 'b'] as const) {
      await transport.subscribe({
        node,
        handle: async (b) => void got[node].add(`${b.origin}/${b.position}/${b.sourceId}`),
      });
    }
    for (let p = 1; p <= 40; p++) {
      await transport.publish(batch('a', String(p).padStart(4, '0'), [1n, 2n]));
      await transport.publish(batch('b', String(p).padStart(4, '0'), [3n, 4n]));
      if (p % 5 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    for (let i = 0; i < 500 && transport.backlog() > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(transport.backlog()).toBe(0);
    expect([...got.a].every((id) => id.startsWith('b/'))).toBe(true);
    expect(new Set([...got.a].map((id) => id.split('/')[1])).size).toBe(40);
    expect(new Set([...got.b].map((id) => id.split('/')[1])).size).toBe(40);
    await transport.close();
  });

  it('pauses and resumes a subscription; a publisher waits for the paused node', async () => {
    const transport = new InProcessTransport({ partitions: 1 });
    const got: string[] = [];
    const sub = await transport.subscribe({ node: 'b', handle: async (b) => void got.push(b.position) });
    sub.pause();
    let published = false;
    const publishing = transport.publish(batch('a', '0001', [1n])).then(() => {
      published = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([]);
    expect(published).toBe(false);
    expect(transport.backlog()).toBe(1);
    sub.resume();
    await publishing;
    expect(got).toEqual(['0001']);
    await transport.close();
  });

  it('resolves publish only once every other subscriber handled the batch, so a checkpoint after it is safe', async () => {
    const transport = new InProcessTransport({ partitions: 2 });
    let release!: () => void;
    const applying = new Promise<void>((resolve) => {
      release = resolve;
    });
    const applied: string[] = [];
    await transport.subscribe({ node: 'a', handle: async () => undefined });
    await transport.subscribe({
      node: 'b',
      handle: async (b) => {
        await applying;
        applied.push(b.position);
      },
    });
    let published = false;
    const publishing = transport.publish(batch('a', '0001', [1n, 2n, 3n])).then(() => {
      published = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(published).toBe(false);
    release();
    await publishing;
    expect(applied.length).toBeGreaterThan(0);
    expect(transport.backlog()).toBe(0);
    await transport.close();
  });

  it('stops waiting for a node that unsubscribes', async () => {
    const transport = new InProcessTransport({ partitions: 1 });
    const sub = await transport.subscribe({ node: 'b', handle: async () => undefined });
    sub.pause();
    const publishing = transport.publish(batch('a', '0001', [1n]));
    await sub.close();
    await publishing;
    await transport.close();
  });
});
