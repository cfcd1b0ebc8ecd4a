import { createHash } from 'node:crypto';
import { ConnectionError, WorkerSyncError } from '../errors.js';
import type { CheckpointStore, ViewVersion } from '../interfaces/checkpoint-store.js';
import type { SourcePosition } from '../model/change-event.js';
import { decodeRowVersion, encodeRowVersion } from './row-version-json.js';
import type { SqlExecutor } from './sql-executor.js';

/** The table of positions, one row per source. */
export const CHECKPOINTS_TABLE = 'worker_sync_checkpoints';
/** The table of the log view, one row per (source, row). */
export const LOG_VIEW_TABLE = 'worker_sync_log_view';

// Rows per multi-row statement: well under PostgreSQL's 65535 parameters and MySQL's packet size.
const BATCH = 500;

const DDL = {
  postgres: [
    `CREATE TABLE IF NOT EXISTS ${CHECKPOINTS_TABLE} (source_id VARCHAR(200) PRIMARY KEY, source_position TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    `CREATE TABLE IF NOT EXISTS ${LOG_VIEW_TABLE} (source_id VARCHAR(200) NOT NULL, row_hash BYTEA NOT NULL, row_id TEXT NOT NULL, version TEXT NOT NULL, PRIMARY KEY (source_id, row_hash))`,
  ],
  mysql: [
    `CREATE TABLE IF NOT EXISTS ${CHECKPOINTS_TABLE} (source_id VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PRIMARY KEY, source_position TEXT NOT NULL, updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB`,
    `CREATE TABLE IF NOT EXISTS ${LOG_VIEW_TABLE} (source_id VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, row_hash BINARY(32) NOT NULL, row_id TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, version MEDIUMTEXT NOT NULL, PRIMARY KEY (source_id, row_hash)) ENGINE=InnoDB`,
  ],
} as const;

const UPSERT_POSITION = {
  postgres: `INSERT INTO ${CHECKPOINTS_TABLE} (source_id, source_position) VALUES (?, ?) ON CONFLICT (source_id) DO UPDATE SET source_position = EXCLUDED.source_position, updated_at = now()`,
  mysql: `INSERT INTO ${CHECKPOINTS_TABLE} (source_id, source_position) VALUES (?, ?) ON DUPLICATE KEY UPDATE source_position = VALUES(source_position), updated_at = CURRENT_TIMESTAMP(6)`,
} as const;

const UPSERT_VERSIONS_TAIL = {
  postgres: ' ON CONFLICT (source_id, row_hash) DO UPDATE SET version = EXCLUDED.version',
  // VALUES() rather than an alias: MariaDB does not support `AS new` row aliases.
  mysql: ' ON DUPLICATE KEY UPDATE version = VALUES(version)',
} as const;

/**
 * A {@link CheckpointStore} in PostgreSQL or MySQL/MariaDB, typically the node's own database, so checkpoints are as
 * durable as the data. Tables `worker_sync_checkpoints` (position per source) and `worker_sync_log_view` (row
 * version per source and row, keyed by the SHA-256 of the row id so long keys fit an index) are created on first
 * use. A commit upserts the versions in batches and the position in one transaction.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const checkpoints = new SqlCheckpointStore(pgExecutor(new pg.Pool({ connectionString: process.env.PG_URL })));
 * ```
 */
export class SqlCheckpointStore implements CheckpointStore {
  #ready: Promise<void> | undefined;

  constructor(
    private readonly db: SqlExecutor,
    private readonly options: { readonly close?: () => Promise<void> } = {},
  ) {}

  /** {@inheritDoc CheckpointStore.position} */
  async position(sourceId: string): Promise<SourcePosition | undefined> {
    return this.#run('position', sourceId, async () => {
      const rows = await this.db.query(`SELECT source_position FROM ${CHECKPOINTS_TABLE} WHERE source_id = ?`, [
        sourceId,
      ]);
      const position = rows[0]?.source_position;
      return typeof position === 'string' ? position : undefined;
    });
  }

  /** {@inheritDoc CheckpointStore.versions} */
  async versions(sourceId: string, rowIds: readonly string[]): Promise<Map<string, ViewVersion>> {
    return this.#run('versions', sourceId, async () => {
      const found = new Map<string, ViewVersion>();
      for (let start = 0; start < rowIds.length; start += BATCH) {
        const ids = rowIds.slice(start, start + BATCH);
        const marks = ids.map(() => '?').join(', ');
        const rows = await this.db.query(
          `SELECT row_id, version FROM ${LOG_VIEW_TABLE} WHERE source_id = ? AND row_hash IN (${marks})`,
          [sourceId, ...ids.map(rowHash)],
        );
        for (const row of rows) {
          const rowId = String(row.row_id);
          found.set(rowId, decodeRowVersion(String(row.version), `${LOG_VIEW_TABLE} source ${sourceId} row ${rowId}`));
        }
      }
      return found;
    });
  }

  /** {@inheritDoc CheckpointStore.commit} */
  async commit(sourceId: string, position: SourcePosition, versions: ReadonlyMap<string, ViewVersion>): Promise<void> {
    const entries = [...versions];
    await this.#run('commit', sourceId, () =>
      this.db.transaction(async (tx) => {
        for (let start = 0; start < entries.length; start += BATCH) {
          const slice = entries.slice(start, start + BATCH);
          const params = slice.flatMap(([rowId, version]) => [
            sourceId,
            rowHash(rowId),
            rowId,
            encodeRowVersion(version),
          ]);
          const values = slice.map(() => '(?, ?, ?, ?)').join(', ');
          await tx.query(
            `INSERT INTO ${LOG_VIEW_TABLE} (source_id, row_hash, row_id, version) VALUES ${values}${UPSERT_VERSIONS_TAIL[tx.dialect]}`,
            params,
          );
        }
        await tx.query(UPSERT_POSITION[tx.dialect], [sourceId, position]);
      }),
    );
  }

  /** {@inheritDoc CheckpointStore.forgetTable} */
  async forgetTable(sourceId: string, tablePrefix: string): Promise<void> {
    const pattern = `${tablePrefix.replace(/[!%_]/g, '!$&')}%`;
    await this.#run('forgetTable', sourceId, () =>
      this.db.query(`DELETE FROM ${LOG_VIEW_TABLE} WHERE source_id = ? AND row_id LIKE ? ESCAPE '!'`, [
        sourceId,
        pattern,
      ]),
    );
  }

  /** Calls the `close` option (e.g. `() => pool.end()`); the executor itself is the host's. */
  async close(): Promise<void> {
    await this.options.close?.();
  }

  /** Creates the tables once (a failed attempt is retried on the next call). */
  #ensureTables(): Promise<void> {
    this.#ready ??= (async () => {
      for (const statement of DDL[this.db.dialect]) await this.db.query(statement);
    })().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #run<T>(operation: string, sourceId: string, fn: () => Promise<T>): Promise<T> {
    try {
      await this.#ensureTables();
      return await fn();
    } catch (error) {
      throw storeError(operation, sourceId, error);
    }
  }
}

function rowHash(rowId: string): Buffer {
  return createHash('sha256').update(rowId, 'utf8').digest();
}

// Network failures, PostgreSQL classes 08 (connection), 57P (shutdown), 40001/40P01 (serialization, deadlock) and
// MySQL deadlock/lock-wait/lost-connection codes are worth retrying; anything else is a bug or a broken schema.
const TRANSIENT =
  /^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|08|57P|40001|40P01|PROTOCOL_CONNECTION_LOST|ER_LOCK_DEADLOCK|ER_LOCK_WAIT_TIMEOUT|ER_CON_COUNT_ERROR)/;

function storeError(operation: string, sourceId: string, error: unknown): Error {
  if (error instanceof WorkerSyncError) return error;
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  const reason = error instanceof Error ? error.message : String(error);
  const message = `sql checkpoint store: ${operation} of source ${sourceId} failed: ${reason}`;
  if (TRANSIENT.test(code)) return new ConnectionError(message, { cause: error });
  return new WorkerSyncError(message, 'CHECKPOINT_STORE', false, { cause: error });
}
