import { describe, expect, it } from 'vitest';
import { MemoryDatabase } from '../memory/memory-database.js';
import { MemorySink } from '../memory/memory-sink.js';
import { MemorySource } from '../memory/memory-source.js';
import type { TableRef } from '../model/change-event.js';
import { lastWriterWins } from '../resolve/last-writer-wins.js';
import { MemoryCheckpointStore } from '../store/memory-checkpoint-store.js';
import { MemoryDeadLetterStore } from '../store/memory-dead-letter-store.js';
import { InProcessTransport } from '../transport/in-process-transport.js';
import { SyncEngine } from './sync-engine.js';

const items: TableRef = { namespace: 'app', name: 'items' };

describe('SyncEngine.stop', () => {
  it('does not hang on a publish a paused in-process peer holds up, and the batch arrives after a restart', async () => {
    const transport = new InProcessTransport();
    const checkpoints = new MemoryCheckpointStore();
    const dbs = [new MemoryDatabase('a'), new MemoryDatabase('b')];
    for (const db of dbs) db.createTable(items, { key: ['id'], columns: { id: 'int64', name: 'text' } });
    const engineOf = (db: MemoryDatabase, store = new MemoryCheckpointStore()) =>
      new SyncEngine({
        node: db.name,
        sources: [new MemorySource({ id: 'db', database: db })],
        sinks: [new MemorySink({ id: 'db', database: db })],
        transport,
        resolver: lastWriterWins,
        checkpoints: store,
        deadLetters: new MemoryDeadLetterStore(),
      });
    let a = engineOf(dbs[0]!, checkpoints);
    const b = engineOf(dbs[1]!);
    await a.start();
    await b.start();
    b.pause();
    dbs[0]!.write(items, { id: 1n, name: 'held' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await a.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await a.status()).sources[0]?.position).toBeUndefined();

    a = engineOf(dbs[0]!, checkpoints);
    await a.start();
    b.resume();
    for (let i = 0; i < 400 && dbs[1]!.read(items, [['id', 1n]]) === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(dbs[1]!.read(items, [['id', 1n]])).toEqual({ id: 1n, name: 'held' });
    await a.stop();
    await b.stop();
  });
});
