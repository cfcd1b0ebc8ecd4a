import type { CapturedBatch, TableRef } from '@worker-sync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSink, PostgresSource } from '../src/index.js';
import { metadataDdl } from '../src/postgres-metadata.js';
import { batchOf, decideByVersion, serviceUrl, sql } from './pg-env.js';
import { collect } from './source-helpers.js';

const url = serviceUrl('PG_LOCAL_URL');
const full: TableRef = { namespace: 'public', name: 'ri_full' };
const controller = new AbortController();
let source: PostgresSource;
let iterator: AsyncIterator<CapturedBatch>;

beforeAll(async () => {
  await sql(
    url,
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'worker_sync_ri_test'`,
  );
  await sql(url, 'DROP PUBLICATION IF EXISTS worker_sync_ri_test');
  await sql(url, 'DROP TABLE IF EXISTS public.ri_full, public.ri_keyed');
  await sql(url, metadataDdl());
  await sql(url, `DELETE FROM worker_sync.row_versions WHERE table_name IN ('public.ri_full', 'public.ri_keyed')`);
  // The key is not the first column, so a key taken from the wrong columns shows.
  await sql(url, 'CREATE TABLE public.ri_full (name text, id int8 PRIMARY KEY, note text)');
  await sql(url, 'CREATE TABLE public.ri_keyed (id int8 PRIMARY KEY, name text)');
  source = new PostgresSource({ id: 'ri_test', url, tables: ['ri_full', 'ri_keyed'], replicaIdentityFull: true });
  iterator = source.stream({ snapshot: true, signal: controller.signal })[Symbol.asyncIterator]();
  // The stream is running once the snapshot (of empty tables) is behind it.
  await sql(url, `INSERT INTO public.ri_keyed VALUES (0, 'start')`);
  await collect(iterator, source, (c) => c.length >= 1);
});

afterAll(async () => {
  controller.abort();
  await source.close();
});

describe('PostgresSource with REPLICA IDENTITY FULL', () => {
  it('sets FULL on the captured tables when asked to', async () => {
    const { rows } = await sql(
      url,
      `SELECT relname, relreplident FROM pg_class WHERE relname IN ('ri_full', 'ri_keyed') ORDER BY relname`,
    );
    expect(rows.map((r) => r.relreplident)).toEqual(['f', 'f']);
  });

  it('keys rows by the primary key and marks whole before images', async () => {
    await sql(
      url,
      `BEGIN; INSERT INTO public.ri_full VALUES ('a', 1, 'x'); UPDATE public.ri_full SET name = 'b' WHERE id = 1;
       DELETE FROM public.ri_full WHERE id = 1; COMMIT`,
    );
    const changes = await collect(iterator, source, (c) => c.length >= 3);
    expect(changes.map((c) => [c.op, c.key])).toEqual([
      ['insert', [['id', 1n]]],
      ['update', [['id', 1n]]],
      ['delete', [['id', 1n]]],
    ]);
    expect(changes.every((c) => c.beforeComplete === true)).toBe(true);
    expect(changes[0]!.before).toBeUndefined();
    expect(changes[1]!.before).toEqual({ name: 'a', id: 1n, note: 'x' });
    expect(changes[2]!.before).toEqual({ name: 'b', id: 1n, note: 'x' });
  });

  it('reports what a sink write overwrote, whole, beside its co-written version', async () => {
    await sql(url, `INSERT INTO public.ri_full VALUES ('local', 2, 'kept')`);
    const sink = new PostgresSink({ id: 'ri-sink', url });
    const version = { vv: { remote: 1 }, hlc: 5n, writer: 'remote', deleted: false };
    await sink.apply(
      batchOf(`remote-${Date.now()}`, '00000000/00000100', [
        { op: 'update', table: full, key: [['id', 2n]], after: { id: 2n, name: 'remote' }, version },
      ]),
      decideByVersion,
    );
    await sink.close();
    const changes = await collect(iterator, source, (c) => c.length >= 2);
    expect(changes[1]).toMatchObject({
      op: 'update',
      key: [['id', 2n]],
      applied: version,
      before: { name: 'local', id: 2n, note: 'kept' },
      beforeComplete: true,
    });
  });

  it('a table under the default identity is keyed by its flagged key and its before images are not whole', async () => {
    await sql(url, 'ALTER TABLE public.ri_keyed REPLICA IDENTITY DEFAULT');
    await sql(url, `UPDATE public.ri_keyed SET name = 'moved' WHERE id = 0`);
    const [change] = await collect(iterator, source, (c) => c.length >= 1);
    expect(change).toMatchObject({ op: 'update', key: [['id', 0n]] });
    expect(change!.beforeComplete).toBeUndefined();
  });
});
