import { type ApplyDecider, ApplyError, type ChangeBatch } from '@worker-sync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MySqlSink } from '../src/index.js';
import { batchOf, connect, mysqlUrl, uniqueName, version, writeAll } from './support.js';

describe('MySqlSink against MariaDB', () => {
  let url: string;
  let sink: MySqlSink;
  const table = uniqueName('sink_items');
  const ref = { namespace: 'public', name: table };
  const pg = uniqueName('pg');
  const mongo = uniqueName('mongo');

  beforeAll(async () => {
    url = await mysqlUrl();
    const c = await connect(url);
    await c.query(
      `CREATE TABLE ${table} (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL, price DECIMAL(10,2), note TEXT, tags JSON, seen DATETIME(6), flag BOOLEAN, uniq VARCHAR(10) UNIQUE)`,
    );
    await c.end();
    sink = new MySqlSink({ id: 'sink', url });
  });
  afterAll(async () => {
    await sink?.close();
  });

  it('writes a batch in one transaction with versions and the batch position, and is idempotent', async () => {
    const batch = batchOf(pg, '0000000001', [
      {
        op: 'insert',
        table: ref,
        key: [['id', 1n]],
        after: {
          id: 1n,
          name: 'one',
          price: { kind: 'decimal', value: '9.90' },
          tags: { kind: 'json', value: '{"a":1}' },
          flag: true,
        },
        version: version(pg, 1),
      },
      { op: 'insert', table: ref, key: [['id', 2n]], after: { id: 2n, name: 'two' }, version: version(pg, 1) },
      {
        op: 'update',
        table: ref,
        key: [['id', 1n]],
        after: { id: 1n, note: 'partial' },
        unchanged: ['name'],
        version: version(pg, 2),
      },
    ]);
    expect(await sink.apply(batch, writeAll)).toEqual({ applied: 3, skipped: 0, alreadyApplied: false });
    expect(await sink.apply(batch, writeAll)).toEqual({ applied: 0, skipped: 3, alreadyApplied: true });
    expect(await sink.lastApplied(pg, 'src')).toBe('0000000001');
    const [one, two, none] = await sink.read(ref, [[['id', 1n]], [['id', 2n]], [['id', 3n]]]);
    expect(one?.row).toEqual({
      id: 1n,
      name: 'one',
      price: { kind: 'decimal', value: '9.90' },
      note: 'partial',
      tags: { kind: 'json', value: '{"a":1}' },
      seen: null,
      flag: true,
      uniq: null,
    });
    expect(one?.version.vv).toEqual({ [pg]: 2 });
    expect(two?.row?.name).toBe('two');
    expect(none).toBeUndefined();
  });

  it('deletes rows with multi-row deletes and keeps a tombstone version', async () => {
    const batch = batchOf(pg, '0000000002', [
      { op: 'delete', table: ref, key: [['id', 2n]], before: { id: 2n }, version: version(pg, 2, true) },
    ]);
    await sink.apply(batch, writeAll);
    const [two] = await sink.read(ref, [[['id', 2n]]]);
    expect(two?.row).toBeUndefined();
    expect(two?.version).toMatchObject({ vv: { [pg]: 2 }, deleted: true });
  });

  it('passes the stored version to the decider and honours skip and keep', async () => {
    const seen: unknown[] = [];
    const batch = batchOf(mongo, '0000000001', [
      { op: 'update', table: ref, key: [['id', 1n]], after: { id: 1n, name: 'ignored' }, version: version(mongo, 1) },
    ]);
    await sink.apply(batch, (incoming, current) => {
      seen.push(current?.version.vv);
      return { kind: 'keep', version: { ...incoming.version, vv: { [pg]: 2, [mongo]: 1 }, columns: { name: 7n } } };
    });
    expect(seen).toEqual([{ [pg]: 2 }]);
    const [one] = await sink.read(ref, [[['id', 1n]]]);
    expect(one?.row?.name).toBe('one');
    expect(one?.version.vv).toEqual({ [pg]: 2, [mongo]: 1 });
    expect(one?.version.columns).toEqual({ name: 7n });
  });

  it('rejects a bad change with an ApplyError naming table, column, key and index, and rolls back', async () => {
    const batch = batchOf(pg, '0000000003', [
      { op: 'insert', table: ref, key: [['id', 7n]], after: { id: 7n, name: 'ok' }, version: version(pg, 1) },
      {
        op: 'insert',
        table: ref,
        key: [['id', 8n]],
        after: { id: 8n, name: 'bad', price: { kind: 'decimal', value: '1.999' } },
        version: version(pg, 1),
      },
    ]);
    const error = await sink.apply(batch, writeAll).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).where).toMatchObject({ table: `worker_sync.${table}`, column: 'price', index: 1 });
    expect(await sink.read(ref, [[['id', 7n]]])).toEqual([undefined]);
    expect(await sink.lastApplied(pg, 'src')).toBe('0000000002');
    const duplicate = batchOf(pg, '0000000004', [
      {
        op: 'insert',
        table: ref,
        key: [['id', 10n]],
        after: { id: 10n, name: 'a', uniq: 'u' },
        version: version(pg, 1),
      },
      {
        op: 'insert',
        table: ref,
        key: [['id', 11n]],
        after: { id: 11n, name: 'b', uniq: 'u' },
        version: version(pg, 1),
      },
    ]);
    const unique = await sink.apply(duplicate, writeAll).catch((e: unknown) => e);
    expect(unique).toBeInstanceOf(ApplyError);
    expect((unique as Error).message).toMatch(new RegExp(table));
  });

  it('names the table, key, column and index of a row the server rejects in a later statement of the batch', async () => {
    const narrow = uniqueName('sink_narrow');
    const narrowRef = { namespace: 'public', name: narrow };
    const c = await connect(url);
    await c.query(`CREATE TABLE ${narrow} (id BIGINT PRIMARY KEY, name VARCHAR(5) NOT NULL, uniq VARCHAR(10) UNIQUE)`);
    await c.query(`INSERT INTO ${narrow} (id, name, uniq) VALUES (100, 'old', 'taken')`);
    await c.end();
    const origin = uniqueName('narrow');
    const rows = (counter: number, events: [bigint, Record<string, string>][]) =>
      events.map(([id, after]) => ({
        op: 'insert' as const,
        table: narrowRef,
        key: [['id', id]] as [string, bigint][],
        after: { id, ...after },
        version: version(origin, counter),
      }));
    // Two statements: (id, name) for the first change, (id, name, uniq) for the others; the server rejects row 2 of
    // the second with "Data too long for column 'name' at row 2".
    const tooLong = batchOf(origin, '0000000001', [
      ...rows(1, [[1n, { name: 'a' }]]),
      ...rows(1, [
        [2n, { name: 'b', uniq: 'q' }],
        [3n, { name: 'far too long', uniq: 'r' }],
      ]),
    ]);
    const error = await sink.apply(tooLong, writeAll).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).where).toMatchObject({
      table: `worker_sync.${narrow}`,
      column: 'name',
      key: '[["id",{"i":"3"}]]',
      index: 2,
    });
    expect((error as ApplyError).retriable).toBe(false);
    // A duplicate of another unique key in the last data statement: named, retriable, nothing written.
    const duplicate = batchOf(origin, '0000000002', [
      ...rows(1, [[4n, { name: 'd' }]]),
      ...rows(1, [[5n, { name: 'e', uniq: 'taken' }]]),
    ]);
    const clash = await sink.apply(duplicate, writeAll).catch((e: unknown) => e);
    expect(clash).toBeInstanceOf(ApplyError);
    expect((clash as ApplyError).where).toMatchObject({ table: `worker_sync.${narrow}`, index: 1 });
    expect((clash as ApplyError).retriable).toBe(true);
    expect(await sink.read(narrowRef, [[['id', 1n]], [['id', 4n]]])).toEqual([undefined, undefined]);
    expect(await sink.lastApplied(origin, 'src')).toBeUndefined();
  });

  it('shows a row no sink wrote with an empty history, leaves unchanged columns, and judges a truncate per row', async () => {
    const c = await connect(url);
    await c.query(`INSERT INTO ${table} (id, name, note) VALUES (50, 'local', 'keep me')`);
    await c.end();
    const seen: unknown[] = [];
    await sink.apply(
      batchOf(pg, '0000000005', [
        {
          op: 'update',
          table: ref,
          key: [['id', 50n]],
          after: { id: 50n, name: 'remote', note: 'stale' },
          unchanged: ['note'],
          version: version(pg, 1),
        },
      ]),
      (incoming, current) => {
        seen.push(current?.version);
        return writeAll(incoming);
      },
    );
    expect(seen).toEqual([{ vv: {}, hlc: 0n, writer: '', deleted: false }]);
    const [row] = await sink.read(ref, [[['id', 50n]]]);
    expect(row?.row).toMatchObject({ name: 'remote', note: 'keep me' });
    const judged: unknown[] = [];
    await sink.apply(
      batchOf(pg, '0000000006', [{ op: 'truncate', table: ref, key: [], version: version(pg, 9, true) }]),
      (incoming) => {
        judged.push([incoming.op, incoming.key[0]?.[1]]);
        return { kind: 'write', row: null, version: incoming.version };
      },
    );
    expect(judged).toContainEqual(['delete', 50n]);
    expect(judged.every((entry) => (entry as unknown[])[0] === 'delete')).toBe(true);
    const [gone] = await sink.read(ref, [[['id', 50n]]]);
    expect(gone?.row).toBeUndefined();
    expect(gone?.version.deleted).toBe(true);
  });

  it('never loses a version when sinks write the same absent rows at once: the later one retries and judges again', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => BigInt(10_000 + i));
    // Deletes of rows that do not exist: each sink writes only a tombstone shadow row, the case no data row guards.
    const origins = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
    const batches = origins.map((origin, n) =>
      batchOf(
        origin,
        '0000000001',
        keys.map((id) => ({
          op: 'delete' as const,
          table: ref,
          key: [['id', id]] as const,
          before: { id },
          version: {
            vv: { [origin]: 1 },
            hlc: BigInt(1000 + ((Number(id) * 7 + n * 13) % 3)),
            writer: origin,
            deleted: true,
          },
        })),
      ),
    );
    // Last writer wins on the HLC (ties to the larger writer): the decision must always see the stored version.
    const newest: ApplyDecider = (incoming, stored) => {
      const current = stored?.version;
      const wins =
        current === undefined ||
        incoming.version.hlc > current.hlc ||
        (incoming.version.hlc === current.hlc && incoming.version.writer > current.writer);
      return wins ? { kind: 'write', row: null, version: incoming.version } : { kind: 'skip' };
    };
    const sinks = origins.map(() => new MySqlSink({ id: 'race', url }));
    // Ready (metadata tables, pools) before the race, so the three batches overlap.
    for (const target of sinks) await target.lastApplied('none', 'none');
    const applyUntilDone = async (target: MySqlSink, batch: ChangeBatch) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await target.apply(batch, newest);
        } catch (error) {
          if (!(error instanceof ApplyError && error.retriable) || attempt > 20) throw error;
        }
      }
    };
    try {
      await Promise.all(sinks.map((target, n) => applyUntilDone(target, batches[n]!)));
    } finally {
      for (const target of sinks) await target.close();
    }
    const stored = await sink.read(
      ref,
      keys.map((id) => [['id', id]] as const),
    );
    for (const [i, id] of keys.entries()) {
      const winner = batches
        .map((batch) => batch.events[i]!.version)
        .reduce((a, b) => (b.hlc > a.hlc || (b.hlc === a.hlc && b.writer > a.writer) ? b : a));
      expect({ id, writer: stored[i]?.version.writer }).toEqual({ id, writer: winner.writer });
    }
  });
});
