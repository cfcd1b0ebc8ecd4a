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
const extras: TableRef = { namespace: 'app', name: 'extras' };
const schema = { key: ['id'], columns: { id: 'int64', name: 'text' } } as const;

function node(id: string, transport: InProcessTransport, tables: readonly TableRef[]) {
  const db = new MemoryDatabase(id);
  for (const table of tables) db.createTable(table, schema);
  const deadLetters = new MemoryDeadLetterStore();
  const engine = new SyncEngine({
    node: id,
    sources: [new MemorySource({ id: 'db', database: db })],
    sinks: [new MemorySink({ id: 'db', database: db })],
    transport,
    resolver: lastWriterWins,
    checkpoints: new MemoryCheckpointStore(),
    deadLetters,
    retry: { maxAttempts: 1 },
  });
  return { db, deadLetters, engine };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(await check()).toBe(true);
}

describe('SyncEngine.redrive', () => {
  it('applies dead letters again once the cause is fixed, removes them, and never writes over newer data', async () => {
    const transport = new InProcessTransport();
    // "b" lacks app.extras: changes of it are refused and parked, while app.items keeps flowing.
    const a = node('a', transport, [items, extras]);
    const b = node('b', transport, [items]);
    await a.engine.start();
    await b.engine.start();
    a.db.write(extras, { id: 1n, name: 'first' });
    a.db.write(extras, { id: 2n, name: 'second' });
    a.db.write(items, { id: 1n, name: 'item' });
    await until(async () => (await b.deadLetters.list()).length === 2 && b.db.read(items, [['id', 1n]]) !== undefined);

    const refused = await b.engine.redrive();
    expect(refused.redriven).toEqual([]);
    expect(refused.failed.map((f) => f.reason)).toEqual([
      expect.stringContaining('app.extras'),
      expect.stringContaining('app.extras'),
    ]);
    expect(await b.deadLetters.list()).toHaveLength(2);

    b.db.createTable(extras, schema);
    // Row 2 moved on at "b" in the meantime: the parked, older change must not overwrite it.
    b.db.write(extras, { id: 2n, name: 'newer at b' });
    const [first] = await b.deadLetters.list();
    expect(await b.engine.redrive({ ids: [first!.id] })).toEqual({ redriven: [first!.id], failed: [] });
    expect((await b.engine.redrive()).redriven).toHaveLength(1);
    expect(await b.deadLetters.list()).toEqual([]);
    expect(b.db.read(extras, [['id', 1n]])).toEqual({ id: 1n, name: 'first' });
    // The later local write wins over the redriven change (settled by the resolver as any race would be).
    await until(async () => b.db.read(extras, [['id', 2n]])?.name === 'newer at b');
    await until(async () => a.db.read(extras, [['id', 2n]])?.name === 'newer at b');
    expect(await b.engine.redrive()).toEqual({ redriven: [], failed: [] });
    await a.engine.stop();
    await b.engine.stop();
  });
});
