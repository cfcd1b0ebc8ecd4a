import { describe, expect, it } from 'vitest';
import type { RowVersion } from '../model/change-event.js';
import { MemoryCheckpointStore } from '../store/memory-checkpoint-store.js';
import { LogView } from './log-view.js';

const version = (counter: number): RowVersion => ({
  vv: { a: counter },
  hlc: BigInt(counter),
  writer: 'a',
  deleted: false,
});

describe('LogView', () => {
  it('keeps at most `capacity` committed rows in memory, the most recently judged, and reads the rest back', async () => {
    const store = new MemoryCheckpointStore();
    const view = new LogView(store, 's', 2);
    await view.load(['t/']);
    for (const [i, id] of ['t/r1', 't/r2', 't/r3'].entries()) view.set(id, { version: version(i + 1), row: { id: i } });
    await view.commit('p1', view.seal());
    // Rows leave at a seal, the next batch's, once committed.
    expect(view.get('t/r1')).toBeDefined();
    view.seal();
    expect(view.get('t/r1')).toBeUndefined();
    expect(view.get('t/r3')?.row).toEqual({ id: 2 });
    await view.load(['t/r1']);
    // Read back from the store: the version, without the data.
    expect(view.get('t/r1')).toEqual({ version: version(1) });
  });

  it('never lets a row leave before its version is committed', async () => {
    const store = new MemoryCheckpointStore();
    const view = new LogView(store, 's', 1);
    await view.load(['t/']);
    view.set('t/r1', { version: version(1), row: { id: 1 } });
    const first = view.seal();
    view.set('t/r2', { version: version(2), row: { id: 2 } });
    const second = view.seal();
    // Both sealed, neither committed: the store still has neither, so both stay.
    expect(view.get('t/r1')?.version).toEqual(version(1));
    expect(view.get('t/r2')?.version).toEqual(version(2));
    await view.commit('p1', first);
    await view.commit('p2', second);
    view.seal();
    expect([view.get('t/r1'), view.get('t/r2')].filter((entry) => entry !== undefined)).toHaveLength(1);
  });

  it('commits owed data with the version and reads it back after a restart', async () => {
    const store = new MemoryCheckpointStore();
    const view = new LogView(store, 's');
    await view.load(['t/']);
    view.set('t/r1', { version: version(3), row: { id: 1n, name: 'settled' }, owed: true });
    view.set('t/r2', { version: version(4), row: { id: 2n }, owed: false });
    await view.commit('p1', view.seal());
    const restarted = new LogView(store, 's');
    await restarted.load(['t/r1', 't/r2']);
    expect(restarted.get('t/r1')).toEqual({ version: version(3), row: { id: 1n, name: 'settled' }, owed: true });
    expect(restarted.get('t/r2')).toEqual({ version: version(4) });
    // A later version committed without owed data replaces it.
    restarted.set('t/r1', { version: version(5), row: { id: 1n, name: 'local' } });
    await restarted.commit('p2', restarted.seal());
    const again = new LogView(store, 's');
    await again.load(['t/r1']);
    expect(again.get('t/r1')).toEqual({ version: version(5) });
  });

  it('after a truncate, rows stored before it and rows never seen read as deleted by it, also after a restart', async () => {
    const store = new MemoryCheckpointStore();
    const view = new LogView(store, 's', 1);
    await view.load(['t/r1', 't/r2']);
    view.set('t/r1', { version: version(1), row: { id: 1 } });
    view.set('t/r2', { version: version(2), row: { id: 2 } });
    await view.commit('p1', view.seal());
    // What a truncate must dominate: everything the table ever held, also rows no longer in memory.
    expect(view.seen('t/')).toEqual({ vv: { a: 2 }, hlc: 2n });
    const truncate: RowVersion = { vv: { a: 3 }, hlc: 3n, writer: 'a', deleted: true };
    view.truncate('t/', truncate);
    await view.commit('p2', view.seal());
    for (const reader of [view, new LogView(store, 's')]) {
      await reader.load(['t/r1', 't/r2', 't/r9']);
      for (const id of ['t/r1', 't/r2', 't/r9']) expect(reader.get(id)).toEqual({ version: truncate, row: null });
    }
    // A row written after the truncate keeps its own version.
    const after = new LogView(store, 's');
    await after.load(['t/r1']);
    after.set('t/r1', { version: version(4), row: { id: 1 } });
    await after.commit('p3', after.seal());
    const restarted = new LogView(store, 's');
    await restarted.load(['t/r1']);
    expect(restarted.get('t/r1')).toEqual({ version: version(4) });
    expect(restarted.seen('t/')).toEqual({ vv: { a: 4 }, hlc: 4n });
  });
});
