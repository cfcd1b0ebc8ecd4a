import { describe, expect, it, vi } from 'vitest';
import type { ApplyDecider, ChangeSink } from '../interfaces/change-sink.js';
import { MemoryDatabase } from '../memory/memory-database.js';
import { MemorySink } from '../memory/memory-sink.js';
import { MemorySource } from '../memory/memory-source.js';
import type { ChangeBatch, RowVersion, SourcePosition } from '../model/change-event.js';
import { lastWriterWins } from '../resolve/last-writer-wins.js';
import { MemoryCheckpointStore } from '../store/memory-checkpoint-store.js';
import { MemoryDeadLetterStore } from '../store/memory-dead-letter-store.js';
import { InProcessTransport } from '../transport/in-process-transport.js';
import { SyncEngine } from './sync-engine.js';
import { CLUSTER_TABLE as T } from './test-cluster.js';

function database(name: string): MemoryDatabase {
  const db = new MemoryDatabase(name);
  db.createTable(T, { key: ['id'], columns: { id: 'int64', name: 'text', qty: 'int64' } });
  return db;
}

/** A sink that holds every apply until the test opens it, and records the newest position it applied. */
class HeldSink implements ChangeSink {
  readonly id: string;
  applied: SourcePosition = '';
  #open = false;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly inner: MemorySink) {
    this.id = inner.id;
  }

  open(): void {
    this.#open = true;
    for (const wake of this.#waiting.splice(0)) wake();
  }

  get held(): number {
    return this.#waiting.length;
  }

  async apply(batch: ChangeBatch, decide: ApplyDecider) {
    if (!this.#open) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    const outcome = await this.inner.apply(batch, decide);
    if (batch.position > this.applied) this.applied = batch.position;
    return outcome;
  }

  lastApplied(origin: string, sourceId: string) {
    return this.inner.lastApplied(origin, sourceId);
  }

  read(...args: Parameters<ChangeSink['read']>) {
    return this.inner.read(...args);
  }

  close() {
    return this.inner.close();
  }
}

describe('capture with several publishes in flight', () => {
  it('checkpoints in log order, only what the peer applied, and recovers a failed checkpoint without loss or a second write', async () => {
    const transport = new InProcessTransport();
    let publishing = 0;
    let mostPublishing = 0;
    let publishes = 0;
    const publish = transport.publish.bind(transport);
    transport.publish = async (batch) => {
      publishes += 1;
      mostPublishing = Math.max(mostPublishing, ++publishing);
      try {
        await publish(batch);
      } finally {
        publishing -= 1;
      }
    };
    const a = database('a');
    const b = database('b');
    const sinkB = new HeldSink(new MemorySink({ id: 'db', database: b }));
    const checkpoints = new MemoryCheckpointStore();
    const committed: SourcePosition[] = [];
    const unapplied: SourcePosition[] = [];
    let failOnce = 2;
    const commit = checkpoints.commit.bind(checkpoints);
    checkpoints.commit = async (
      sourceId: string,
      position: SourcePosition,
      versions: ReadonlyMap<string, RowVersion>,
    ) => {
      // Recorded, not asserted here: a throw would only look like a failed commit to the engine.
      if (position > sinkB.applied) unapplied.push(position);
      if (--failOnce === 0) throw new Error('checkpoint store unavailable');
      committed.push(position);
      return commit(sourceId, position, versions);
    };
    const common = {
      transport,
      resolver: lastWriterWins,
      deadLetters: new MemoryDeadLetterStore(),
      retry: { maxAttempts: 1 },
      batching: { maxEvents: 1, publishWindow: 3 },
    };
    const engineA = new SyncEngine({
      ...common,
      node: 'a',
      sources: [new MemorySource({ id: 'db', database: a, maxBatchTransactions: 1 })],
      checkpoints,
    });
    const engineB = new SyncEngine({ ...common, node: 'b', sinks: [sinkB], checkpoints: new MemoryCheckpointStore() });
    await engineA.start();
    await engineB.start();
    for (let id = 1n; id <= 8n; id++) a.write(T, { id, name: `row ${id}`, qty: id });

    // The peer holds the first apply: several judged groups wait on it, none is checkpointed.
    await vi.waitFor(() => expect(mostPublishing).toBe(3));
    expect(sinkB.held).toBe(1);
    expect(committed).toEqual([]);

    sinkB.open();
    await vi.waitFor(() => expect(b.readAll(T)).toHaveLength(8), { timeout: 5_000 });
    await vi.waitFor(async () => expect((await engineA.status()).sources[0]!.position).toBe(a.endPosition));
    await engineA.stop();
    await engineB.stop();

    expect(failOnce).toBeLessThan(0);
    expect(publishes).toBeGreaterThan(8);
    expect(unapplied).toEqual([]);
    expect(committed).toEqual([...committed].sort());
    expect(new Set(committed).size).toBe(committed.length);
    // Every row written once on b, although the groups after the failed checkpoint were published twice.
    for (let id = 1n; id <= 8n; id++) {
      const writes = b.entriesAfter('').flatMap((e) => e.changes.filter((c) => c.key[0]?.[1] === id));
      expect(writes).toHaveLength(1);
    }
  });
});
