import type { ClientBase, Pool } from 'pg';
import type { AuditStorage } from './audit-storage.js';

/** Options of {@link PostgresStorage}. */
export interface PostgresStorageOptions {
  readonly pool: Pool;
  /** Table name prefix (default `worker_sync_audit`); tables `<prefix>_leaves` and `<prefix>_checkpoints`. */
  readonly tablePrefix?: string;
  /** Schema of the tables (default `public`). */
  readonly schema?: string;
}

/**
 * Stores the log in two PostgreSQL tables, append-only: a trigger rejects every UPDATE, DELETE and TRUNCATE. When the
 * sink is PostgreSQL, pass the sink's client (inside its BEGIN) as `transaction`, so the audit leaves commit or roll
 * back with the data they describe. After a rolled-back shared transaction, reopen the log (the tree is rebuilt from
 * what committed).
 */
export class PostgresStorage implements AuditStorage {
  private constructor(
    private readonly pool: Pool,
    private readonly leaves: string,
    private readonly checkpoints: string,
  ) {}

  /** Creates the tables and guard trigger if missing and returns the storage. */
  static async open(options: PostgresStorageOptions): Promise<PostgresStorage> {
    const client = await options.pool.connect();
    try {
      const schema = client.escapeIdentifier(options.schema ?? 'public');
      const prefix = options.tablePrefix ?? 'worker_sync_audit';
      const leaves = `${schema}.${client.escapeIdentifier(`${prefix}_leaves`)}`;
      const checkpoints = `${schema}.${client.escapeIdentifier(`${prefix}_checkpoints`)}`;
      const guard = `${schema}.${client.escapeIdentifier(`${prefix}_append_only`)}`;
      // Serialise concurrent first opens: CREATE ... IF NOT EXISTS races on the catalog otherwise.
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${prefix}_ddl`]);
      await client.query(`CREATE TABLE IF NOT EXISTS ${leaves} (idx bigint PRIMARY KEY, leaf bytea NOT NULL)`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${checkpoints} (seq bigserial PRIMARY KEY, note text NOT NULL)`);
      await client.query(
        `CREATE OR REPLACE FUNCTION ${guard}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'audit tables are append-only (% on %)', TG_OP, TG_TABLE_NAME; END $$`,
      );
      for (const table of [leaves, checkpoints]) {
        await client.query(
          `CREATE OR REPLACE TRIGGER append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${guard}()`,
        );
        await client.query(
          `CREATE OR REPLACE TRIGGER append_only_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${guard}()`,
        );
      }
      await client.query('COMMIT');
      return new PostgresStorage(options.pool, leaves, checkpoints);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async scanLeaves(visit: (index: number, leaf: Uint8Array) => void): Promise<void> {
    const pageSize = 10_000;
    for (let from = 0; ; from += pageSize) {
      const { rows } = await this.pool.query<{ idx: string; leaf: Buffer }>(
        `SELECT idx, leaf FROM ${this.leaves} WHERE idx >= $1 ORDER BY idx LIMIT $2`,
        [from, pageSize],
      );
      rows.forEach((row, i) => {
        if (Number(row.idx) !== from + i) throw new Error(`audit table ${this.leaves} is missing leaf ${from + i}`);
        visit(from + i, row.leaf);
      });
      if (rows.length < pageSize) return;
    }
  }

  async readCheckpoints(): Promise<string[]> {
    const { rows } = await this.pool.query<{ note: string }>(`SELECT note FROM ${this.checkpoints} ORDER BY seq`);
    return rows.map((r) => r.note);
  }

  async appendLeaves(firstIndex: number, leaves: readonly Uint8Array[], transaction?: unknown): Promise<void> {
    const client = (transaction as ClientBase | undefined) ?? this.pool;
    // All leaves travel as one binary bytea parameter cut apart by offsets in SQL: a bytea[] parameter would be sent
    // as hex text, doubling the bytes and costing an escape and a parse of each leaf on both sides.
    const offsets: number[] = [];
    let at = 1;
    for (const leaf of leaves) {
      offsets.push(at);
      at += leaf.length;
    }
    await client.query(
      `INSERT INTO ${this.leaves} (idx, leaf)
       SELECT $1::bigint + t.n - 1, substring($2::bytea FROM t.off FOR t.len)
       FROM unnest($3::int[], $4::int[]) WITH ORDINALITY AS t(off, len, n)`,
      [firstIndex, Buffer.concat(leaves), offsets, leaves.map((leaf) => leaf.length)],
    );
  }

  async appendCheckpoint(note: string): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.checkpoints} (note) VALUES ($1)`, [note]);
  }

  /** The pool belongs to the caller; nothing to release here. */
  async close(): Promise<void> {}
}
