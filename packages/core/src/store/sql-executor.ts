/**
 * The little a SQL checkpoint store needs from a database driver. Statements use `?` placeholders; the PostgreSQL
 * adapter rewrites them to `$1, $2, …`. Core imports no driver: {@link pgExecutor} and {@link mysqlExecutor} wrap
 * the host's `pg` or `mysql2/promise` objects, typed by the methods they use.
 */
export interface SqlExecutor {
  readonly dialect: 'postgres' | 'mysql';
  /** Runs one statement and returns its rows (empty for statements without a result set). */
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

/** What {@link pgExecutor} uses of a `pg` Client or PoolClient. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** What {@link pgExecutor} uses of a `pg` Pool. */
export interface PgPoolLike extends PgQueryable {
  connect(): Promise<PgQueryable & { release(error?: Error | boolean): void }>;
  readonly totalCount: number;
}

/** What {@link mysqlExecutor} uses of a `mysql2/promise` connection. */
export interface MysqlConnectionLike {
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
}

/** What {@link mysqlExecutor} uses of a `mysql2/promise` Pool. */
export interface MysqlPoolLike extends MysqlConnectionLike {
  getConnection(): Promise<MysqlConnectionLike & { release(): void }>;
}

/**
 * A {@link SqlExecutor} over `pg`. With a Pool each transaction takes its own connection; with a single Client,
 * transactions are queued one after another on it, so give the store a Client nobody else uses.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const store = new SqlCheckpointStore(pgExecutor(new pg.Pool({ connectionString: process.env.PG_URL })));
 * ```
 */
export function pgExecutor(db: PgPoolLike | PgQueryable): SqlExecutor {
  const run = async (on: PgQueryable, sql: string, params: readonly unknown[] = []) =>
    (await on.query(toDollarPlaceholders(sql), [...params])).rows;
  const over = (on: PgQueryable): SqlExecutor => ({
    dialect: 'postgres',
    query: (sql, params) => run(on, sql, params),
    transaction: (fn) => fn(over(on)),
  });
  let queue: Promise<unknown> = Promise.resolve();
  return {
    dialect: 'postgres',
    query: (sql, params) => run(db, sql, params),
    async transaction(fn) {
      if (isPgPool(db)) {
        const client = await db.connect();
        try {
          return await inTransaction(client, () => fn(over(client)));
        } finally {
          client.release();
        }
      }
      const next = queue.then(() => inTransaction(db, () => fn(over(db))));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

/**
 * A {@link SqlExecutor} over a `mysql2/promise` Pool (or `pool.promise()`); each transaction takes its own
 * connection.
 *
 * @example
 * ```ts
 * import mysql from 'mysql2/promise';
 * const store = new SqlCheckpointStore(mysqlExecutor(mysql.createPool(process.env.MYSQL_URL!)));
 * ```
 */
export function mysqlExecutor(pool: MysqlPoolLike): SqlExecutor {
  const run = async (on: MysqlConnectionLike, sql: string, params: readonly unknown[] = []) => {
    const [rows] = await on.query(sql, [...params]);
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  };
  const over = (on: MysqlConnectionLike): SqlExecutor => ({
    dialect: 'mysql',
    query: (sql, params) => run(on, sql, params),
    transaction: (fn) => fn(over(on)),
  });
  return {
    dialect: 'mysql',
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const connection = await pool.getConnection();
      try {
        return await inTransaction({ query: (sql: string) => connection.query(sql) }, () => fn(over(connection)));
      } finally {
        connection.release();
      }
    },
  };
}

async function inTransaction<T>(on: { query(sql: string): Promise<unknown> }, fn: () => Promise<T>): Promise<T> {
  await on.query('BEGIN');
  try {
    const result = await fn();
    await on.query('COMMIT');
    return result;
  } catch (error) {
    // A failed rollback (connection gone) must not hide the error that caused it.
    await on.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function isPgPool(db: PgPoolLike | PgQueryable): db is PgPoolLike {
  return (
    typeof (db as Partial<PgPoolLike>).connect === 'function' &&
    typeof (db as Partial<PgPoolLike>).totalCount === 'number'
  );
}

/** `?` → `$n`. Only for the store's own fixed statements, which never contain a literal question mark. */
export function toDollarPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
