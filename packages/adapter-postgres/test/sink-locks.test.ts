import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockAllRows, lockRowKeys, RANGE_LOCK_THRESHOLD } from '../src/sink-statements.js';
import { serviceUrl } from './pg-env.js';

const url = serviceUrl('PG_BACKUP_URL');
const table = 'public.sink_locks';
const clients: pg.Client[] = [];

/** Row keys in the shadow table's text form. */
const keys = (from: number, count: number) => Array.from({ length: count }, (_, i) => `["${from + i}"]`);

async function open(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

/** Takes the batch locks of `rowKeys` in a new transaction on `client`; false when they are held by another. */
async function lock(client: pg.Client, rowKeys: string[]): Promise<boolean> {
  await client.query('BEGIN');
  await client.query("SET LOCAL lock_timeout = '200ms'");
  const statement = lockRowKeys(
    rowKeys.map(() => table),
    rowKeys,
  );
  try {
    await client.query(statement.text, statement.values);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') return false;
    throw error;
  }
}

async function advisoryLocks(client: pg.Client): Promise<number> {
  const result = await client.query(
    "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
  );
  return result.rows[0].n;
}

let holder: pg.Client;
let other: pg.Client;

beforeAll(async () => {
  holder = await open();
  other = await open();
});

afterAll(async () => {
  for (const client of clients) await client.end();
});

describe('sink row locks', () => {
  it('makes every batch wait for a truncating one', async () => {
    await holder.query('BEGIN');
    await holder.query(lockAllRows().text);
    expect(await lock(other, ['["7"]'])).toBe(false);
    await other.query('ROLLBACK');
    expect(await lock(other, keys(0, 1000))).toBe(false);
    await other.query('ROLLBACK');
    await holder.query('ROLLBACK');
  });

  it('keeps a large batch to at most 256 advisory locks', async () => {
    expect(await lock(holder, keys(0, 20_000))).toBe(true);
    expect(await advisoryLocks(holder)).toBeLessThanOrEqual(256);
    await holder.query('ROLLBACK');
  });

  it('makes a small batch wait for a large one holding its rows, and the other way round', async () => {
    const large = keys(0, RANGE_LOCK_THRESHOLD + 1);
    expect(await lock(holder, large)).toBe(true);
    expect(await lock(other, ['["7"]'])).toBe(false);
    await other.query('ROLLBACK');
    await holder.query('ROLLBACK');

    expect(await lock(holder, ['["7"]'])).toBe(true);
    expect(await lock(other, large)).toBe(false);
    await other.query('ROLLBACK');
    await holder.query('ROLLBACK');
  });

  it('lets small batches on different rows apply together, and serialises two on the same row', async () => {
    expect(await lock(holder, ['["1"]', '["2"]'])).toBe(true);
    expect(await lock(other, ['["3"]'])).toBe(true);
    await other.query('ROLLBACK');
    expect(await lock(other, ['["2"]'])).toBe(false);
    await other.query('ROLLBACK');
    await holder.query('ROLLBACK');
  });
});
