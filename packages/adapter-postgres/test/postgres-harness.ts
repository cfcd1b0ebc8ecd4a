import type { Row, RowKey, TableRef, Value, ValueType } from '@worker-sync/core';
import type { ConformanceHarness, ConformanceNode, ConformanceWrite } from '@worker-sync/core/testing';
import pg from 'pg';
import { PostgresSink, PostgresSource, valueFromPg, valueToPg } from '../src/index.js';

const ITEMS: TableRef = { namespace: 'public', name: 'conf_items' };
const TYPES: TableRef = { namespace: 'public', name: 'conf_types' };

/** The neutral types PostgreSQL columns hold here (a nested `document` has no column type; map it to jsonb). */
const TYPE_COLUMNS: Record<string, [ValueType, string]> = {
  c_boolean: ['boolean', 'boolean'],
  c_int64: ['int64', 'int8'],
  c_float64: ['float64', 'float8'],
  c_text: ['text', 'text'],
  c_bytes: ['bytes', 'bytea'],
  c_decimal: ['decimal', 'numeric'],
  c_date: ['date', 'date'],
  c_time: ['time', 'time'],
  c_timestamp: ['timestamp', 'timestamptz'],
  c_uuid: ['uuid', 'uuid'],
  c_json: ['json', 'jsonb'],
  c_array: ['array', 'int8[]'],
};

const DDL = `CREATE TABLE IF NOT EXISTS public.conf_items (id int8 PRIMARY KEY, name text, qty int8);
CREATE TABLE IF NOT EXISTS public.conf_types (id int8 PRIMARY KEY, ${Object.entries(TYPE_COLUMNS)
  .map(([name, [, type]]) => `${name} ${type}`)
  .join(', ')});`;

/** Builds a pool that returns PostgreSQL text for every type (decoded with the adapter's mapping). */
function rawPool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 2,
    types: { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig,
    options: '-c TimeZone=UTC -c DateStyle=ISO,MDY -c bytea_output=hex -c extra_float_digits=1',
  });
  pool.on('error', () => undefined);
  return pool;
}

function decode(result: pg.QueryResult): Row[] {
  return (result.rows as Record<string, string | null>[]).map((raw) =>
    Object.fromEntries(result.fields.map((f) => [f.name, valueFromPg(raw[f.name] ?? null, f.dataTypeID)])),
  );
}

function table(ref: TableRef): string {
  return `${pg.escapeIdentifier(ref.namespace)}.${pg.escapeIdentifier(ref.name)}`;
}

async function writeRow(client: pg.ClientBase, ref: TableRef, row: Row): Promise<void> {
  const columns = Object.keys(row);
  const updates = columns.filter((c) => c !== 'id');
  await client.query(
    `INSERT INTO ${table(ref)} (${columns.map((c) => pg.escapeIdentifier(c)).join(', ')}) VALUES (${columns
      .map((_, i) => `$${i + 1}`)
      .join(', ')}) ON CONFLICT (id) DO ${
      updates.length === 0
        ? 'NOTHING'
        : `UPDATE SET ${updates.map((c) => `${pg.escapeIdentifier(c)} = EXCLUDED.${pg.escapeIdentifier(c)}`).join(', ')}`
    }`,
    columns.map((c) => valueToPg(row[c] as Value)),
  );
}

async function deleteRow(client: pg.ClientBase, ref: TableRef, key: RowKey): Promise<void> {
  await client.query(`DELETE FROM ${table(ref)} WHERE id = $1`, [valueToPg(key[0]![1])]);
}

async function postgresNode(
  nodeId: string,
  url: string,
): Promise<{ node: ConformanceNode; reset(): Promise<void>; close(): Promise<void> }> {
  const pool = rawPool(url);
  await pool.query(DDL);
  // One reader at a time is the engine's business here; the suite restarts streams freely, so no lease.
  const source = new PostgresSource({ id: `conf_${nodeId}`, url, tables: ['conf_items', 'conf_types'], lease: false });
  const sink = new PostgresSink({ id: `conf_${nodeId}`, url });
  await sink.init();
  await source.init();
  const node: ConformanceNode = {
    nodeId,
    source,
    sink,
    async currentPosition() {
      const result = await pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      const [high = '0', low = '0'] = result.rows[0]!.lsn.split('/');
      return `${high.padStart(8, '0')}/${low.padStart(8, '0')}`.toUpperCase();
    },
    write: async (ref, row) => writeRow(pool as unknown as pg.ClientBase, ref, row),
    delete: async (ref, key) => deleteRow(pool as unknown as pg.ClientBase, ref, key),
    truncate: async (ref) => {
      await pool.query(`TRUNCATE ${table(ref)}`);
    },
    async transaction(ops: readonly ConformanceWrite[]) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (const op of ops) {
          if (op.op === 'write') await writeRow(client, op.table, op.row);
          else await deleteRow(client, op.table, op.key);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    async read(ref, key) {
      return decode(await pool.query(`SELECT * FROM ${table(ref)} WHERE id = $1`, [valueToPg(key[0]![1])]))[0];
    },
    async readAll(ref) {
      return decode(await pool.query(`SELECT * FROM ${table(ref)}`));
    },
  };
  return {
    node,
    async reset() {
      await pool.query(`TRUNCATE public.conf_items, public.conf_types;
        DELETE FROM worker_sync.row_versions WHERE table_name IN ('public.conf_items', 'public.conf_types');
        DELETE FROM worker_sync.applied_positions;`);
    },
    async close() {
      await source.close();
      await sink.close();
      await pool.end();
    },
  };
}

/**
 * The conformance harness for PostgreSQL: node A on one server, node B on the other (pg-local and pg-backup), each
 * with `conf_items` and `conf_types` tables, a {@link PostgresSource} and a {@link PostgresSink}.
 */
export async function createPostgresHarness(urlA: string, urlB: string): Promise<ConformanceHarness> {
  const a = await postgresNode('a', urlA);
  const b = await postgresNode('b', urlB);
  return {
    nodeA: a.node,
    nodeB: b.node,
    items: ITEMS,
    types: {
      table: TYPES,
      columns: Object.fromEntries(Object.entries(TYPE_COLUMNS).map(([name, [type]]) => [name, type])),
      samples: { c_timestamp: [{ kind: 'timestamp', micros: 1_700_000_000_123_456n, zoned: true }] },
    },
    async reset() {
      await Promise.all([a.reset(), b.reset()]);
    },
    async close() {
      await Promise.all([a.close(), b.close()]);
    },
  };
}
