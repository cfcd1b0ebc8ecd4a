import type { SqlExecutor } from '../../src/store/sql-executor.js';

/**
 * Wraps a real executor so that, inside a transaction, the position upsert fails after the version upserts ran:
 * the real database must roll the versions back.
 */
export function failingBeforePosition(db: SqlExecutor): SqlExecutor {
  const wrap = (inner: SqlExecutor): SqlExecutor => ({
    dialect: inner.dialect,
    query: (sql, params) =>
      sql.startsWith('INSERT INTO worker_sync_checkpoints')
        ? Promise.reject(new Error('injected failure before the position upsert'))
        : inner.query(sql, params),
    transaction: (fn) => inner.transaction((tx) => fn(wrap(tx))),
  });
  return wrap(db);
}
