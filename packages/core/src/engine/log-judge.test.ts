import { describe, expect, it } from 'vitest';
import { HybridLogicalClock } from '../clock/hybrid-logical-clock.js';
import type { CapturedChange } from '../model/change-event.js';
import { lastWriterWins } from '../resolve/last-writer-wins.js';
import { MemoryCheckpointStore } from '../store/memory-checkpoint-store.js';
import { judgeChanges, tablePrefix } from './log-judge.js';
import { LogView } from './log-view.js';

const table = { namespace: 'app', name: 'items' };
const tx = (index: number) => ({ id: 't', commitTimeMicros: 1_000_000n, index, last: false });

/** A captured local insert of row 1. */
function inserted(index = 0): CapturedChange {
  return { op: 'insert', table, key: [['id', 1n]], after: { id: 1n }, position: '1', tx: tx(index) };
}

async function context() {
  const view = new LogView(new MemoryCheckpointStore(), 'db');
  // The judge works on loaded tables, as the capture pipeline loads them before each batch.
  await view.load([tablePrefix(table)]);
  return {
    node: 'n1',
    sourceId: 'db',
    clock: new HybridLogicalClock({ now: () => 1 }),
    resolver: lastWriterWins,
    view,
  };
}

describe('judgeChanges', () => {
  it('publishes a local write with exactly the change fields it had, plus origin, source and version', async () => {
    const insert = inserted();
    const update: CapturedChange = {
      op: 'update',
      table,
      key: [['id', 1n]],
      after: { id: 1n },
      before: { id: 1n },
      unchanged: ['blob'],
      position: '1',
      tx: tx(1),
      snapshot: false,
    };
    const { events } = judgeChanges([insert, update], await context());
    expect(Object.keys(events[0]!)).toStrictEqual([
      'op',
      'table',
      'key',
      'after',
      'position',
      'tx',
      'origin',
      'sourceId',
      'version',
    ]);
    expect(events[1]).toEqual({ ...update, origin: 'n1', sourceId: 'db', version: expect.anything() });
    expect(Object.keys(events[1]!)).toHaveLength(12);
    expect(events[1]!.version.vv).toStrictEqual({ n1: 2 });
  });

  it('writes back a stale sink write instead of publishing it; a local delete carries no applied and no column stamps', async () => {
    const ctx = await context();
    const local = inserted();
    judgeChanges([local], ctx);
    const older = { vv: {}, hlc: 1n, writer: 'n0', deleted: false };
    const sinkWrite: CapturedChange = { ...local, tx: tx(1), applied: older };
    const { events, reapplies } = judgeChanges([sinkWrite], ctx);
    expect(events).toEqual([]);
    expect(reapplies).toHaveLength(1);
    const delete_: CapturedChange = {
      op: 'delete',
      table,
      key: [['id', 1n]],
      before: { id: 1n },
      position: '2',
      tx: tx(0),
    };
    const [deleted] = judgeChanges([delete_], ctx).events;
    expect(deleted).not.toHaveProperty('applied');
    expect(deleted!.version).toStrictEqual({ vv: { n1: 2 }, hlc: deleted!.version.hlc, writer: 'n1', deleted: true });
  });
});
