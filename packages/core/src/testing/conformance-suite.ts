import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { remoteDecider } from '../engine/apply-decider.js';
import type { ChangeSource } from '../interfaces/change-source.js';
import type {
  CapturedChange,
  ChangeBatch,
  ChangeEvent,
  RowKey,
  RowVersion,
  SourcePosition,
  TableRef,
} from '../model/change-event.js';
import type { Row, Value } from '../model/value.js';
import { valuesEqual } from '../model/value-equality.js';
import { lastWriterWins } from '../resolve/last-writer-wins.js';
import { eventually, firstDeadLetter, startPair } from './conformance-cluster.js';
import type { ConformanceHarness, ConformanceHarnessFactory } from './conformance-harness.js';
import { DEFAULT_SAMPLES } from './conformance-samples.js';

const key = (id: bigint): RowKey => [['id', id]];

/**
 * Runs the adapter conformance suite: the behaviour every source/sink pair must share for the engine's
 * convergence argument to hold. Call it from an adapter's integration test with a factory for its harness
 * (see {@link ConformanceHarness}); the in-memory adapter runs it too.
 *
 * @example
 * ```ts
 * import { runConformanceSuite } from '@worker-sync/core/testing';
 * runConformanceSuite('mysql', () => createMySqlHarness(process.env.MYSQL_URL!));
 * ```
 */
export function runConformanceSuite(name: string, factory: ConformanceHarnessFactory): void {
  describe(`worker-sync adapter conformance: ${name}`, () => {
    let h: ConformanceHarness;
    beforeAll(async () => {
      h = await factory();
    });
    afterAll(async () => {
      await h?.close();
    });
    beforeEach(async () => {
      await h.reset();
    });

    it('captures insert, update, delete and truncate in commit order, whole transactions', async () => {
      const start = await h.nodeA.currentPosition();
      await h.nodeA.write(h.items, { id: 1n, name: 'one', qty: 1n });
      await h.nodeA.transaction([
        { op: 'write', table: h.items, row: { id: 2n, name: 'two', qty: 2n } },
        { op: 'write', table: h.items, row: { id: 1n, name: 'uno', qty: 1n } },
      ]);
      await h.nodeA.delete(h.items, key(2n));
      await h.nodeA.truncate(h.items);
      const changes = await collect(h.nodeA.source, start, 5);
      expect(changes.map((c) => c.op)).toEqual(['insert', 'insert', 'update', 'delete', 'truncate']);
      expect(changes.map((c) => c.key)).toEqual([key(1n), key(2n), key(1n), key(2n), []]);
      expect(changes[2]!.after).toMatchObject({ name: 'uno' });
      expect(changes.every((c) => c.applied === undefined)).toBe(true);
      const [t1, t2a, t2b, t3, t4] = changes;
      expect(t2a!.tx.id).toBe(t2b!.tx.id);
      expect([t2a!.tx.last, t2b!.tx.last, t1!.tx.last, t3!.tx.last, t4!.tx.last]).toEqual([
        false,
        true,
        true,
        true,
        true,
      ]);
      expect(t1!.position < t2b!.position && t2b!.position < t3!.position && t3!.position < t4!.position).toBe(true);
    });

    it('resumes after a checkpoint with nothing lost and nothing repeated', async () => {
      const start = await h.nodeA.currentPosition();
      await h.nodeA.write(h.items, { id: 1n, name: 'one', qty: 1n });
      const first = await collectBatches(h.nodeA.source, start, 1);
      const checkpoint = first[first.length - 1]!.resumeAfter;
      await h.nodeA.write(h.items, { id: 2n, name: 'two', qty: 2n });
      await h.nodeA.write(h.items, { id: 3n, name: 'three', qty: 3n });
      const resumed = await collect(h.nodeA.source, checkpoint, 2);
      expect(resumed.map((c) => c.key)).toEqual([key(2n), key(3n)]);
    });

    it('applies idempotently: the same batch twice, and the same changes in a later batch, change nothing more', async () => {
      const batch = remoteBatch(h.items, '0000000000000010', [
        { id: 1n, name: 'one', qty: 1n },
        { id: 2n, name: 'two', qty: 2n },
      ]);
      const decide = remoteDecider({ resolver: lastWriterWins, viewOf: () => undefined, onConflict: () => undefined });
      const first = await h.nodeB.sink.apply(batch, decide);
      expect(first).toMatchObject({ applied: 2, alreadyApplied: false });
      const again = await h.nodeB.sink.apply(batch, decide);
      expect(again.applied).toBe(0);
      expect(again.alreadyApplied).toBe(true);
      const later = await h.nodeB.sink.apply({ ...batch, id: 'later', position: '0000000000000020' }, decide);
      expect(later).toMatchObject({ applied: 0, skipped: 2 });
      expect(await h.nodeB.sink.lastApplied('zz', 'remote')).toBe('0000000000000020');
      expect(await h.nodeB.read(h.items, key(2n))).toMatchObject({ name: 'two', qty: 2n });
      const [stored] = await h.nodeB.sink.read(h.items, [key(1n)]);
      expect(stored?.version).toMatchObject({ vv: { zz: 1 }, writer: 'zz', deleted: false });
    });

    it('reports its own sink writes with applied (the version co-written), so they never echo', async () => {
      const start = await h.nodeA.currentPosition();
      const batch = remoteBatch(h.items, '0000000000000030', [{ id: 5n, name: 'five', qty: 5n }]);
      await h.nodeA.sink.apply(batch, (incoming) => ({
        kind: 'write',
        row: incoming.after ?? null,
        version: incoming.version,
      }));
      await h.nodeA.write(h.items, { id: 6n, name: 'six', qty: 6n });
      const changes = await collect(h.nodeA.source, start, 2);
      expect(changes[0]!.key).toEqual(key(5n));
      expect(versionOf(changes[0]!.applied)).toEqual(versionOf(batch.events[0]!.version));
      expect(changes[1]!.applied).toBeUndefined();
    });

    it('converges a concurrent write of the same row on both nodes through two engines', async () => {
      const pair = await startPair(h);
      try {
        await h.nodeA.write(h.items, { id: 7n, name: 'from A', qty: 1n });
        await h.nodeB.write(h.items, { id: 7n, name: 'from B', qty: 2n });
        await h.nodeA.write(h.items, { id: 8n, name: 'only A', qty: 3n });
        await eventually('both nodes to hold the same rows', async () => {
          const [a7, b7, b8] = await Promise.all([
            h.nodeA.read(h.items, key(7n)),
            h.nodeB.read(h.items, key(7n)),
            h.nodeB.read(h.items, key(8n)),
          ]);
          return a7 !== undefined && b7 !== undefined && b8 !== undefined && rowsMatch(a7, b7);
        });
        await quiesce(pair.engineA, pair.engineB);
        const [a, b] = await Promise.all([h.nodeA.readAll(h.items), h.nodeB.readAll(h.items)]);
        expect(sortRows(a).map(show)).toEqual(sortRows(b).map(show));
        expect(['from A', 'from B']).toContain((await h.nodeA.read(h.items, key(7n)))!.name);
      } finally {
        await pair.stop();
      }
    });

    it('round-trips every declared neutral type A → B → A with exact equality', async () => {
      const pair = await startPair(h);
      try {
        const rows = typeRows(h);
        for (const row of rows) await h.nodeA.write(h.types.table, row);
        const arrived = async (node: typeof h.nodeA, ids: bigint[]) =>
          (await Promise.all(ids.map((id) => node.read(h.types.table, key(id))))).every((r) => r !== undefined);
        await eventually('typed rows on B', () =>
          arrived(
            h.nodeB,
            rows.map((r) => r.id as bigint),
          ),
        );
        for (const row of rows) {
          const onB = await h.nodeB.read(h.types.table, key(row.id as bigint));
          expectSameValues(row, onB!, 'A → B');
          await h.nodeB.write(h.types.table, { ...onB!, id: (row.id as bigint) + 1000n });
        }
        await eventually('typed rows back on A', () =>
          arrived(
            h.nodeA,
            rows.map((r) => (r.id as bigint) + 1000n),
          ),
        );
        for (const row of rows) {
          const back = await h.nodeA.read(h.types.table, key((row.id as bigint) + 1000n));
          expectSameValues({ ...row, id: (row.id as bigint) + 1000n }, back!, 'A → B → A');
        }
      } finally {
        await pair.stop();
      }
    });

    it('dead-letters an unmappable value with an error naming table and column, and applies the rest', async () => {
      const pair = await startPair(h);
      try {
        const bad = h.unmappableQty ?? 'not a number';
        const batch = remoteBatch(h.items, '0000000000000040', [
          { id: 11n, name: 'good', qty: 1n },
          { id: 12n, name: 'bad', qty: bad },
          { id: 13n, name: 'also good', qty: 3n },
        ]);
        await pair.transport.publish(batch);
        const letter = await firstDeadLetter(pair.deadLettersB);
        expect(['APPLY', 'MAPPING']).toContain(letter.code);
        expect(letter.reason).toContain(h.items.name);
        expect(letter.reason).toContain('qty');
        expect(letter.event?.key).toEqual(key(12n));
        await eventually('the good rows on B', async () => (await h.nodeB.read(h.items, key(13n))) !== undefined);
        expect(await h.nodeB.read(h.items, key(11n))).toMatchObject({ name: 'good' });
        expect(await h.nodeB.read(h.items, key(12n))).toBeUndefined();
      } finally {
        await pair.stop();
      }
    });
  });
}

/** A batch from a node `zz` that no harness uses, one insert per row, each with its own one-write version. */
function remoteBatch(table: TableRef, position: SourcePosition, rows: readonly Row[]): ChangeBatch {
  const events: ChangeEvent[] = rows.map((row, index) => ({
    op: 'insert',
    table,
    key: key(row.id as bigint),
    after: row,
    position,
    tx: { id: `zz-${position}`, commitTimeMicros: 1_700_000_000_000_000n, index, last: index === rows.length - 1 },
    origin: 'zz',
    sourceId: 'remote',
    version: { vv: { zz: 1 }, hlc: (1_700_000_000_000n << 16n) + BigInt(index), writer: 'zz', deleted: false },
  }));
  return { id: `zz/remote/${position}/0`, origin: 'zz', sourceId: 'remote', events, position };
}

async function collectBatches(source: ChangeSource, after: SourcePosition, changes: number) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 60_000);
  const batches = [];
  let seen = 0;
  try {
    for await (const batch of source.stream({ after, signal: abort.signal })) {
      batches.push(batch);
      seen += batch.changes.length;
      if (seen >= changes) break;
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  if (seen < changes) throw new Error(`source ${source.id} yielded ${seen} of ${changes} expected changes`);
  return batches;
}

async function collect(source: ChangeSource, after: SourcePosition, changes: number): Promise<CapturedChange[]> {
  return (await collectBatches(source, after, changes)).flatMap((b) => b.changes).slice(0, changes);
}

function versionOf(version: RowVersion | undefined) {
  return version && { vv: version.vv, hlc: version.hlc, writer: version.writer, deleted: version.deleted };
}

function typeRows(h: ConformanceHarness): Row[] {
  const rows: Row[] = [];
  let id = 1n;
  for (const [column, type] of Object.entries(h.types.columns)) {
    const samples = h.types.samples?.[column] ?? DEFAULT_SAMPLES[type];
    for (const value of [...samples, null]) rows.push({ id: id++, [column]: value });
  }
  return rows;
}

function expectSameValues(expected: Row, actual: Row, leg: string): void {
  for (const [column, value] of Object.entries(expected)) {
    const got = actual[column];
    if (got === undefined || !valuesEqual(value, got)) {
      throw new Error(
        `${leg}: column ${column} of row ${String(expected.id)} came back as ${show(got as Value)}, sent ${show(value)}`,
      );
    }
  }
}

function rowsMatch(a: Row, b: Row): boolean {
  return Object.keys(a).every((c) => b[c] !== undefined && valuesEqual(a[c]!, b[c]!));
}

function sortRows(rows: Row[]): Row[] {
  return [...rows].sort((x, y) => (BigInt(x.id as bigint) < BigInt(y.id as bigint) ? -1 : 1));
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v));
}

/** Waits until both engines have nothing queued, then a little more for the last echoes to be judged. */
async function quiesce(...engines: { status(): Promise<{ queueDepth: number }> }[]): Promise<void> {
  await eventually('the engines to go idle', async () => {
    const statuses = await Promise.all(engines.map((e) => e.status()));
    return statuses.every((s) => s.queueDepth === 0);
  });
}
