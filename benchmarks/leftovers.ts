/**
 * What interrupted benchmark runs leave on the servers: a leg cleans up after itself when it finishes, but a run
 * stopped midway leaves its `bench_*` tables, replication slots, publications and the shadow rows its sinks wrote.
 * They slow every later run (a shadow table grown to a million rows made sink reads several times slower), so each
 * suite removes them before it measures, and says what it removed.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';

/** Benchmark-owned names: every table, slot and publication a leg creates starts with one of these. */
const BENCH_TABLE = '^bench_';
const BENCH_SLOT = '^worker_sync_bench_';

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Drops inactive benchmark slots and their publications, benchmark tables, and shadow rows of tables that no longer
 * exist, on one PostgreSQL server; returns a line saying what went, or nothing when there was nothing.
 */
export async function dropPostgresLeftovers(url: string): Promise<string | undefined> {
  return withClient(url, async (client) => {
    const slots = await client.query<{ name: string }>(
      `SELECT slot_name AS name FROM pg_replication_slots WHERE NOT active AND slot_name ~ $1`,
      [BENCH_SLOT],
    );
    for (const { name } of slots.rows) {
      await client.query('SELECT pg_drop_replication_slot($1)', [name]);
      await client.query(`DROP PUBLICATION IF EXISTS ${pg.escapeIdentifier(name)}`);
    }
    const tables = await client.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename ~ $1`,
      [BENCH_TABLE],
    );
    for (const { name } of tables.rows) await client.query(`DROP TABLE IF EXISTS public.${pg.escapeIdentifier(name)}`);
    const shadow = await client
      .query(
        `DELETE FROM worker_sync.row_versions v
        WHERE to_regclass(quote_ident(split_part(v.table_name, '.', 1)) || '.' || quote_ident(split_part(v.table_name, '.', 2))) IS NULL`,
      )
      .catch(() => ({ rowCount: 0 }));
    return summary(new URL(url).port, slots.rowCount ?? 0, tables.rowCount ?? 0, shadow.rowCount ?? 0);
  });
}

/** The same for MariaDB: benchmark tables, and shadow rows of tables that no longer exist. */
export async function dropMariaDbLeftovers(url: string): Promise<string | undefined> {
  const db = await mysql.createConnection(url);
  try {
    const [tables] = await db.query<mysql.RowDataPacket[]>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name REGEXP ?',
      [BENCH_TABLE],
    );
    for (const { name } of tables) await db.query(`DROP TABLE IF EXISTS ${db.escapeId(String(name))}`);
    const [shadow] = await db
      .query<mysql.ResultSetHeader>(
        `DELETE v FROM worker_sync_row_versions v
           LEFT JOIN information_schema.tables t ON t.table_schema = v.table_ns AND t.table_name = v.table_name
          WHERE t.table_name IS NULL`,
      )
      .catch(() => [{ affectedRows: 0 }]);
    return summary(new URL(url).port, 0, tables.length, shadow.affectedRows);
  } finally {
    await db.end();
  }
}

function summary(port: string, slots: number, tables: number, shadowRows: number): string | undefined {
  if (slots + tables + shadowRows === 0) return undefined;
  return `removed what interrupted runs left on port ${port}: ${slots} slots, ${tables} tables, ${shadowRows} shadow rows`;
}
