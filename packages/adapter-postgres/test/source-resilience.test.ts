import { type CapturedBatch, IntegrityError } from '@worker-sync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSource } from '../src/index.js';
import { serviceUrl, sql } from './pg-env.js';
import { collect } from './source-helpers.js';

const url = serviceUrl('PG_LOCAL_URL');
const sources: PostgresSource[] = [];
const controllers: AbortController[] = [];

function open(leaseRetryMillis = 50): { source: PostgresSource; iterator: AsyncIterator<CapturedBatch> } {
  const source = new PostgresSource({ id: 'src_resilience', url, tables: ['src_resilience'], leaseRetryMillis });
  const controller = new AbortController();
  sources.push(source);
  controllers.push(controller);
  return { source, iterator: source.stream({ signal: controller.signal })[Symbol.asyncIterator]() };
}

beforeAll(async () => {
  await sql(
    url,
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'worker_sync_src_resilience'`,
  );
  await sql(url, 'DROP PUBLICATION IF EXISTS worker_sync_src_resilience');
  await sql(url, 'DROP TABLE IF EXISTS public.src_resilience');
  await sql(url, 'CREATE TABLE public.src_resilience (id int8 PRIMARY KEY, n int8)');
});

afterAll(async () => {
  for (const controller of controllers) controller.abort();
  for (const source of sources) await source.close();
});

describe('PostgresSource resilience', () => {
  it('resumes after its walsender is killed, from the last acknowledged position, losing nothing', async () => {
    const { source, iterator } = open();
    // The slot exists before the first write, however long the machine takes to start the stream.
    await source.init();
    const first = iterator.next();
    await sql(url, 'INSERT INTO public.src_resilience SELECT g, g FROM generate_series(1, 10) g');
    const before = await collect(iterator, source, (c) => c.length >= 10, first);
    expect(before.length).toBe(10);
    await sql(
      url,
      `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'worker_sync_src_resilience'`,
    );
    await sql(url, 'INSERT INTO public.src_resilience SELECT g, g FROM generate_series(11, 20) g');
    const after = await collect(iterator, source, (c) => c.some((x) => x.key[0]![1] === 20n));
    const keys = new Set(after.map((c) => c.key[0]![1]));
    for (let i = 11n; i <= 20n; i += 1n) expect(keys.has(i)).toBe(true);
  });

  it('lets one reader hold the slot; a second takes over when the first goes, and the first is fenced', async () => {
    const [firstSource] = sources;
    const { source: second, iterator: secondIterator } = open();
    const waiting = secondIterator.next();
    let settled = false;
    void waiting.then(() => {
      settled = true;
    });
    await sql(url, 'INSERT INTO public.src_resilience VALUES (30, 30)');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(settled).toBe(false);
    controllers[0]!.abort();
    // The first reader's lease connection closes with its stream; the second takes over the slot.
    await firstSource!.close();
    const changes = await collect(secondIterator, second, (c) => c.some((x) => x.key[0]![1] === 30n), waiting);
    expect(changes.some((c) => c.key[0]![1] === 30n)).toBe(true);
    await expect(second.acknowledge('00000000/00000001')).resolves.toBeUndefined();
    await sql(url, `UPDATE worker_sync.leases SET token = token + 1 WHERE slot = 'worker_sync_src_resilience'`);
    await expect(second.acknowledge('00000000/00000002')).rejects.toBeInstanceOf(IntegrityError);
  });
});
