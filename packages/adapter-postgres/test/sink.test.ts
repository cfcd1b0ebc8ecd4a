import { ApplyError, type Row, type TableRef } from '@worker-sync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSink } from '../src/index.js';
import { batchOf, decideByVersion, serviceUrl, sql } from './pg-env.js';

const url = serviceUrl('PG_BACKUP_URL');
const table: TableRef = { namespace: 'public', name: 'sink_types' };
let sink: PostgresSink;

const full: Row = {
  id: 1n,
  flag: true,
  small: 7n,
  big: 9_007_199_254_740_993n,
  price: { kind: 'decimal', value: '12345678901234567890.120' },
  ratio: 0.1,
  name: 'héllo "quoted" \\ back',
  blob: Uint8Array.of(0, 1, 254, 255),
  doc: { kind: 'json', value: '{"a":[1,2.50,{"b":null}],"z":123456789012345678901}' },
  day: { kind: 'date', value: '2024-02-29' },
  old_day: { kind: 'date', value: '-0043-03-15' },
  at: { kind: 'time', micros: 45_296_000_001n },
  at_tz: { kind: 'time', micros: 3_600_000_000n, offsetSeconds: -12_600 },
  ts: { kind: 'timestamp', micros: -1n, zoned: false },
  tstz: { kind: 'timestamp', micros: 1_700_000_000_123_456n, zoned: true },
  id2: { kind: 'uuid', value: '0f8fad5b-d9cb-469f-a165-70867728950e' },
  tags: { kind: 'array', items: ['a', null, 'b,c', '{x}'] },
  grid: {
    kind: 'array',
    items: [
      { kind: 'array', items: [1n, 2n] },
      { kind: 'array', items: [3n, null] },
    ],
  },
  big_text: 'x'.repeat(10_000),
};

beforeAll(async () => {
  await sql(url, 'DROP TABLE IF EXISTS public.sink_types');
  await sql(
    url,
    `CREATE TABLE public.sink_types (id int8 PRIMARY KEY, flag bool, small int4, big int8, price numeric(30,3), ratio float8,
      name text, blob bytea, doc jsonb, day date, old_day date, at time, at_tz timetz, ts timestamp, tstz timestamptz,
      id2 uuid, tags text[], grid int4[][], big_text text)`,
  );
  sink = new PostgresSink({ id: 'sink-test', url });
  await sink.init();
  await sql(url, `DELETE FROM worker_sync.applied_positions WHERE origin LIKE 'test-%'`);
  await sql(url, `DELETE FROM worker_sync.row_versions WHERE table_name = 'public.sink_types'`);
});

afterAll(async () => {
  await sink.close();
});

describe('PostgresSink', () => {
  it('round-trips every neutral value type exactly', async () => {
    const version = { vv: { a: 1 }, hlc: 100n, writer: 'test-a', deleted: false, columns: { name: 99n, ratio: 100n } };
    const outcome = await sink.apply(
      batchOf('test-a', '00000000/00000010', [{ op: 'insert', table, key: [['id', 1n]], after: full, version }]),
      decideByVersion,
    );
    expect(outcome).toEqual({ applied: 1, skipped: 0, alreadyApplied: false });
    const [stored] = await sink.read(table, [[['id', 1n]]]);
    expect(stored?.version).toEqual(version);
    expect(stored?.row).toEqual(full);
  });

  it('skips a redelivered batch by its recorded position', async () => {
    const version = { vv: { a: 2 }, hlc: 200n, writer: 'test-a', deleted: false };
    const batch = batchOf('test-a', '00000000/00000010', [
      { op: 'update', table, key: [['id', 1n]], after: { ...full, name: 'changed' }, version },
    ]);
    expect((await sink.apply(batch, decideByVersion)).alreadyApplied).toBe(true);
    expect(await sink.lastApplied('test-a', 'src')).toBe('00000000/00000010');
  });

  it('recognises a redelivered batch whose table no longer exists', async () => {
    const version = { vv: { a: 3 }, hlc: 300n, writer: 'test-a', deleted: false };
    const gone = { namespace: 'public', name: 'sink_dropped_since' };
    const batch = batchOf('test-a', '00000000/00000010', [
      { op: 'insert', table: gone, key: [['id', 1n]], after: { id: 1n }, version },
    ]);
    expect(await sink.apply(batch, decideByVersion)).toEqual({ applied: 0, skipped: 1, alreadyApplied: true });
  });

  it('leaves unchanged columns as they are and skips dominated versions', async () => {
    const version = { vv: { a: 2 }, hlc: 200n, writer: 'test-a', deleted: false };
    await sink.apply(
      batchOf('test-a', '00000000/00000020', [
        {
          op: 'update',
          table,
          key: [['id', 1n]],
          after: { id: 1n, name: 'partial' },
          unchanged: ['big_text'],
          version,
        },
        {
          op: 'update',
          table,
          key: [['id', 1n]],
          after: { id: 1n, name: 'stale' },
          version: { ...version, vv: { a: 1 } },
        },
      ]),
      decideByVersion,
    );
    const [stored] = await sink.read(table, [[['id', 1n]]]);
    expect(stored?.row?.name).toBe('partial');
    expect(stored?.row?.big_text).toBe(full.big_text);
    expect(stored?.version.vv).toEqual({ a: 2 });
  });

  it('applies multi-row inserts and deletes in one batch', async () => {
    const events = Array.from({ length: 300 }, (_, i) => ({
      op: 'insert' as const,
      table,
      key: [['id', BigInt(i + 10)]] as const,
      after: { id: BigInt(i + 10), name: `row ${i}` },
      version: { vv: { b: 1 }, hlc: 300n, writer: 'test-b', deleted: false },
    }));
    await sink.apply(batchOf('test-b', '00000000/00000001', events), decideByVersion);
    const deletes = events.slice(0, 100).map((e) => ({
      op: 'delete' as const,
      table,
      key: e.key,
      version: { vv: { b: 2 }, hlc: 301n, writer: 'test-b', deleted: true },
    }));
    await sink.apply(batchOf('test-b', '00000000/00000002', deletes), decideByVersion);
    const count = await sql(url, 'SELECT count(*)::int AS n FROM public.sink_types WHERE id >= 10');
    expect(count.rows[0].n).toBe(200);
    const [gone] = await sink.read(table, [[['id', 10n]]]);
    expect(gone?.row).toBeUndefined();
    expect(gone?.version.deleted).toBe(true);
  });

  it('names table, column, key and index when a value does not fit', async () => {
    const version = { vv: { c: 1 }, hlc: 1n, writer: 'test-c', deleted: false };
    const batch = batchOf('test-c', '00000000/00000001', [
      { op: 'insert', table, key: [['id', 500n]], after: { id: 500n, name: 'fine' }, version },
      { op: 'insert', table, key: [['id', 501n]], after: { id: 501n, small: 10_000_000_000n }, version },
    ]);
    const error = await sink.apply(batch, decideByVersion).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).where).toMatchObject({ table: 'public.sink_types', column: 'small', index: 1 });
    expect((error as ApplyError).message).not.toContain('10000000000');
    const count = await sql(url, 'SELECT count(*)::int AS n FROM public.sink_types WHERE id >= 500');
    expect(count.rows[0].n).toBe(0);
    // The shadow rows were sent ahead of the failing upsert in the same pipeline; they roll back with it.
    const shadows = await sql(
      url,
      `SELECT count(*)::int AS n FROM worker_sync.row_versions WHERE table_name = 'public.sink_types' AND row_key IN ('["500"]', '["501"]')`,
    );
    expect(shadows.rows[0].n).toBe(0);
  });

  it('names the column that does not exist', async () => {
    const version = { vv: { c: 1 }, hlc: 1n, writer: 'test-c', deleted: false };
    const batch = batchOf('test-c', '00000000/00000002', [
      { op: 'insert', table, key: [['id', 600n]], after: { id: 600n, nope: 'x' }, version },
    ]);
    const error = await sink.apply(batch, decideByVersion).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).where).toMatchObject({ table: 'public.sink_types', column: 'nope', index: 0 });
  });
});
