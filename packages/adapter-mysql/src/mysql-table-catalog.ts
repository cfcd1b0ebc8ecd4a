import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { MySqlColumnDefinition } from './mysql-column.js';

/** A table's columns in ordinal order and its primary key columns in key order. */
export interface TableSchema {
  readonly columns: readonly MySqlColumnDefinition[];
  readonly primaryKey: readonly string[];
  /** The table's default character set, given to text columns added without one. */
  readonly defaultCharset?: string;
}

type Queryable = Pool | PoolConnection;

/**
 * Reads a table's current schema from INFORMATION_SCHEMA; undefined when the table does not exist. JSON columns are
 * recognised by type (MySQL) or by their `json_valid` check constraint (MariaDB, where JSON is LONGTEXT).
 */
export async function readTableSchema(
  db: Queryable,
  database: string,
  table: string,
): Promise<TableSchema | undefined> {
  const [columns] = await db.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS columnType, CHARACTER_SET_NAME AS charset, IS_NULLABLE AS nullable
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [database, table],
  );
  if (columns.length === 0) return undefined;
  const [keys] = await db.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`,
    [database, table],
  );
  const jsonColumns = await readJsonChecks(db, database, table);
  const [tables] = await db.query<RowDataPacket[]>(
    'SELECT TABLE_COLLATION AS collation FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [database, table],
  );
  const collation = tables[0]?.collation;
  return {
    ...(typeof collation === 'string' ? { defaultCharset: collation.split('_')[0]! } : {}),
    columns: columns.map((column) => ({
      name: String(column.name),
      columnType: String(column.columnType),
      charset: column.charset === null ? null : String(column.charset),
      nullable: column.nullable === 'YES',
      ...(jsonColumns.has(String(column.name)) ? { json: true } : {}),
    })),
    primaryKey: keys.map((key) => String(key.name)),
  };
}

async function readJsonChecks(db: Queryable, database: string, table: string): Promise<Set<string>> {
  try {
    const [checks] = await db.query<RowDataPacket[]>(
      `SELECT CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS
        WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?`,
      [database, table],
    );
    const names = new Set<string>();
    for (const check of checks) {
      const match = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(check.clause).trim());
      if (match) names.add(match[1]!.replace(/``/g, '`'));
    }
    return names;
  } catch {
    // MySQL before 8.0.16 has no CHECK_CONSTRAINTS view; JSON columns are then recognised by their type alone.
    return new Set();
  }
}

/** Lists the base tables of a database, worker-sync's own excluded. */
export async function listTables(db: Queryable, database: string): Promise<string[]> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT LIKE 'worker\\_sync\\_%' ORDER BY TABLE_NAME`,
    [database],
  );
  return rows.map((row) => String(row.name));
}
