import { createHash } from 'node:crypto';
import pg from 'pg';

/** The example's table, in schema `public` of both servers. */
export const ACCOUNTS = 'ff_accounts';

const qualified = `${pg.escapeIdentifier('public')}.${pg.escapeIdentifier(ACCOUNTS)}`;

/** One account as the application writes it. */
export interface Account {
  readonly id: number;
  readonly owner: string;
  readonly balance: string;
  readonly note: string;
}

/** A digest of the table's content (md5 of every row in key order), its row count and its rows. */
export interface TableDigest {
  readonly md5: string;
  readonly rows: number;
  readonly accounts: ReadonlyMap<number, Account>;
}

/** Runs one statement on its own connection. */
export async function sql(
  url: string,
  text: string,
  values: unknown[] = [],
  connectionTimeoutMillis = 5000,
): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What one server's reset removes besides the table: the source's slot and publication, the nodes' metadata rows. */
export interface ResetTarget {
  readonly url: string;
  readonly slot: string;
  readonly publication: string;
  /**
   * Both nodes' ids: every server keeps the last position applied per (origin node, stream), and a position left by
   * an earlier run would make the sink skip this run's changes as already applied.
   */
  readonly nodes: readonly string[];
}

/** Drops what an earlier run left (slot, publication, table, metadata rows) and creates the table empty. */
export async function resetServer(target: ResetTarget): Promise<void> {
  const { url } = target;
  await sql(url, 'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [
    target.slot,
  ]);
  await sql(url, `DROP PUBLICATION IF EXISTS ${pg.escapeIdentifier(target.publication)}`);
  await sql(url, `DROP TABLE IF EXISTS ${qualified}`);
  await sql(
    url,
    `CREATE TABLE ${qualified} (id int8 PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) NOT NULL, note text NOT NULL)`,
  );
  const metadata = await sql(url, `SELECT to_regclass('worker_sync.row_versions') IS NOT NULL AS present`);
  if (metadata.rows[0]?.present === true) {
    await sql(url, 'DELETE FROM worker_sync.row_versions WHERE table_name = $1', [`public.${ACCOUNTS}`]);
    await sql(url, 'DELETE FROM worker_sync.applied_positions WHERE origin = ANY($1)', [target.nodes]);
  }
}

/** Reads the whole table: an md5 over every row in key order, the count and the rows themselves. */
export async function digestTable(url: string): Promise<TableDigest> {
  const result = await sql(url, `SELECT id, owner, balance::text AS balance, note FROM ${qualified} ORDER BY id`);
  const accounts = new Map<number, Account>();
  const lines: string[] = [];
  for (const row of result.rows as { id: string; owner: string; balance: string; note: string }[]) {
    const id = Number(row.id);
    accounts.set(id, { id, owner: row.owner, balance: row.balance, note: row.note });
    lines.push(`${id}:${row.owner}:${row.balance}:${row.note}`);
  }
  return { md5: createHash('md5').update(lines.join('\n')).digest('hex'), rows: accounts.size, accounts };
}

/** The application's statements on the table, through whatever connection it writes with. */
export const accountStatements = {
  open: `INSERT INTO ${qualified} (id, owner, balance, note) VALUES ($1, $2, $3, $4)`,
  update: `UPDATE ${qualified} SET balance = $2, note = $3 WHERE id = $1`,
  close: `DELETE FROM ${qualified} WHERE id = $1`,
} as const;
