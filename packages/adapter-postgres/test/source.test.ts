import type { CapturedBatch, TableRef } from '@worker-sync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSink, PostgresSource } from '../src/index.js';
import { metadataDdl } from '../src/postgres-metadata.js';
import { batchOf, decideByVersion, serviceUrl, sql } from './pg-env.js';
import { collect } from './source-helpers.js';

const url = serviceUrl('PG_LOCAL_URL');
const items: TableRef = { namespace: 'public', name: 'src_items' };
let controller = new AbortController();
let partialResume = '';
let source: PostgresSource;
let iterator: AsyncIterator<CapturedBatch>;

beforeAll(async () => {
  await sql(
    url,
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'worker_sync_src_test'`,
  );
  await sql(url, 'DROP PUBLICATION IF EXISTS worker_sync_src_test');
  await sql(url, 'DROP TABLE IF EXISTS public.src_items');
  // The real metadata tables: a fresh database must not get a partial shadow table the sink cannot write.
  await sql(url, metadataDdl());
  await sql(url, `DELETE FROM worker_sync.row_versions WHERE table_name = 'public.src_items'`);
  await sql(url, 'CREATE TABLE public.src_items (id int8 PRIMARY KEY, name text, big text, price numeric(12,2))');
  await sql(url, `INSERT INTO public.src_items SELECT g, 'pre ' || g, NULL, g FROM generate_series(1, 25) g`);
  source = new PostgresSource({
    id: 'src_test',
    url,
    tables: ['src_items'],
    snapshotChunkSize: 10,
    maxBatchChanges: 50,
  });
  iterator = source.stream({ snapshot: true, signal: controller.signal })[Symbol.asyncIterator]();
});

afterAll(async () => {
  controller.abort();
  await source.close();
});

describe('PostgresSource', () => {
  it('copies existing rows in primary-key chunks from the slot snapshot', async () => {
    const changes = await collect(iterator, source, (c) => c.length >= 25);
    expect(changes.map((c) => c.key[0]![1])).toEqual(Array.from({ length: 25 }, (_, i) => BigInt(i + 1)));
    expect(changes.every((c) => c.snapshot === true && c.op === 'insert')).toBe(true);
  });

  it('streams inserts, updates and deletes with transaction boundaries after the snapshot, none missed or doubled', async () => {
    await sql(
      url,
      `BEGIN; INSERT INTO public.src_items VALUES (100, 'a', NULL, 1.50); UPDATE public.src_items SET name = 'b' WHERE id = 1; DELETE FROM public.src_items WHERE id = 2; COMMIT`,
    );
    const changes = await collect(iterator, source, (c) => c.length >= 3);
    expect(changes.map((c) => [c.op, c.key[0]![1]])).toEqual([
      ['insert', 100n],
      ['update', 1n],
      ['delete', 2n],
    ]);
    expect(changes[0]!.after?.price).toEqual({ kind: 'decimal', value: '1.50' });
    expect(changes.map((c) => c.tx.last)).toEqual([false, false, true]);
    expect(new Set(changes.map((c) => c.tx.id)).size).toBe(1);
    expect(changes.every((c) => c.snapshot === undefined && c.applied === undefined)).toBe(true);
    expect(changes[0]!.position).toMatch(/^[0-9A-F]{8}\/[0-9A-F]{8}$/);
  });

  it('lists unchanged TOAST columns instead of reporting them as null', async () => {
    await sql(
      url,
      `UPDATE public.src_items SET big = (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 2000) g) WHERE id = 3`,
    );
    await sql(url, `UPDATE public.src_items SET name = 'touched' WHERE id = 3`);
    const changes = await collect(iterator, source, (c) => c.length >= 2);
    expect(typeof changes[0]!.after?.big).toBe('string');
    expect(changes[1]!.unchanged).toEqual(['big']);
    expect(changes[1]!.after).not.toHaveProperty('big');
  });

  it('keeps decoding right across ADD and DROP COLUMN', async () => {
    await sql(url, 'ALTER TABLE public.src_items ADD COLUMN extra int4');
    await sql(url, `INSERT INTO public.src_items (id, name, extra) VALUES (200, 'with extra', 7)`);
    await sql(url, 'ALTER TABLE public.src_items DROP COLUMN price');
    await sql(url, `INSERT INTO public.src_items (id, name, extra) VALUES (201, 'no price', 8)`);
    const changes = await collect(iterator, source, (c) => c.length >= 2);
    expect(changes[0]!.after).toMatchObject({ id: 200n, extra: 7n, price: null });
    expect(changes[1]!.after).toEqual({ id: 201n, name: 'no price', big: null, extra: 8n });
  });

  it('reports truncate', async () => {
    await sql(url, 'CREATE TABLE IF NOT EXISTS public.src_trunc_probe (id int PRIMARY KEY)');
    await sql(url, 'TRUNCATE public.src_items');
    const changes = await collect(iterator, source, (c) => c.length >= 1);
    expect(changes[0]).toMatchObject({ op: 'truncate', table: items, key: [] });
  });

  it('reports its own sink writes with the co-written version and local writes without', async () => {
    const sink = new PostgresSink({ id: 'echo-sink', url });
    const version = { vv: { remote: 3 }, hlc: 77n, writer: 'remote', deleted: false };
    // A fresh origin name, so a batch position recorded by an earlier run is not mistaken for a redelivery.
    await sink.apply(
      batchOf(`remote-${Date.now()}`, '00000000/00000100', [
        { op: 'insert', table: items, key: [['id', 300n]], after: { id: 300n, name: 'from remote' }, version },
      ]),
      decideByVersion,
    );
    await sink.close();
    await sql(url, `INSERT INTO public.src_items (id, name) VALUES (301, 'local')`);
    const changes = await collect(iterator, source, (c) => c.length >= 2);
    expect(changes[0]).toMatchObject({ op: 'insert', key: [['id', 300n]], applied: version });
    expect(changes[1]!.applied).toBeUndefined();
    // A version-only write (the sink kept the local data) is reported as an update with every column unchanged.
    const keeper = new PostgresSink({ id: 'echo-sink', url });
    const merged = { vv: { remote: 3, local: 1 }, hlc: 80n, writer: 'local', deleted: false };
    await keeper.apply(
      batchOf(`remote-${Date.now()}`, '00000000/00000101', [
        { op: 'update', table: items, key: [['id', 301n]], after: { id: 301n, name: 'loses' }, version: merged },
      ]),
      () => ({ kind: 'keep', version: merged }),
    );
    await keeper.close();
    const [kept] = await collect(iterator, source, (c) => c.length >= 1);
    expect(kept).toMatchObject({ op: 'update', key: [['id', 301n]], applied: merged });
    expect(kept!.after).toBeUndefined();
    expect([...kept!.unchanged!].sort()).toEqual(['big', 'extra', 'id', 'name']);
  });

  it('streams a large transaction in partial batches and resumes only at commit boundaries', async () => {
    await sql(url, `INSERT INTO public.src_items (id, name) SELECT g, 'bulk' FROM generate_series(1000, 1179) g`);
    const resumes: string[] = [];
    const sizes: number[] = [];
    let total = 0;
    while (total < 180) {
      const next = await iterator.next();
      total += next.value!.changes.length;
      sizes.push(next.value!.changes.length);
      resumes.push(next.value!.resumeAfter);
      await source.acknowledge(next.value!.resumeAfter);
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
    expect(sizes.length).toBeGreaterThan(3);
    // Partial batches resume inside the transaction (`<commit LSN>~<index>`), increasing; the last at its commit end.
    const partial = resumes.slice(0, -1);
    expect(partial.every((r) => r.includes('~'))).toBe(true);
    expect([...partial].sort()).toEqual(partial);
    expect(new Set(partial).size).toBe(partial.length);
    expect(resumes[resumes.length - 1]! > partial[partial.length - 1]!).toBe(true);
    expect(resumes[resumes.length - 1]).not.toContain('~');
    partialResume = partial[1]!;
  });

  it('restarted inside a transaction, hands out only the rest of it', async () => {
    controller.abort();
    await source.close();
    source = new PostgresSource({
      id: 'src_test',
      url,
      tables: ['src_items'],
      snapshotChunkSize: 10,
      maxBatchChanges: 50,
    });
    controller = new AbortController();
    iterator = source.stream({ after: partialResume, signal: controller.signal })[Symbol.asyncIterator]();
    const changes = await collect(iterator, source, (c) => c.some((x) => x.tx.last));
    const ids = changes.map((c) => c.key[0]![1] as bigint);
    const skippedIndex = Number(partialResume.split('~')[1]);
    expect(ids[0]).toBe(1000n + BigInt(skippedIndex) + 1n);
    expect(ids[ids.length - 1]).toBe(1179n);
  });

  it('re-snapshots one table into the running stream', async () => {
    await source.resnapshot(items);
    await sql(url, `UPDATE public.src_items SET name = 'after resnapshot' WHERE id = 301`);
    const changes = await collect(iterator, source, (c) => c.some((x) => x.op === 'update'));
    const snap = changes.filter((c) => c.snapshot === true);
    expect(snap.length).toBe(182);
    expect(changes[changes.length - 1]!.op).toBe('update');
  });

  it('reports slot lag in bytes', async () => {
    const lag = await source.lag();
    expect(typeof lag.bytes).toBe('bigint');
  });
});
