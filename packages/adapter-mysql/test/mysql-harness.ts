/**
 * The MySQL/MariaDB harness for `@worker-sync/core`'s adapter conformance suite: two nodes as two databases of one
 * server (the URL's database and `<database>_b`), each with its own MySqlSource and MySqlSink.
 */
import type { Row, RowKey, SourcePosition, TableRef, Value } from '@worker-sync/core';
import type { ConformanceHarness, ConformanceNode, ConformanceWrite } from '@worker-sync/core/testing';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { currentBinlogEnd } from '../src/binlog-server.js';
import { createExactPool, quoteId, quoteTable } from '../src/mysql-connection.js';
import { APPLIED_POSITIONS_TABLE, ROW_VERSIONS_TABLE } from '../src/mysql-metadata.js';
import { encodePosition } from '../src/mysql-position.js';
import { MySqlSink } from '../src/mysql-sink.js';
import { MySqlSource } from '../src/mysql-source.js';
import { readTableSchema } from '../src/mysql-table-catalog.js';
import { TableMapping } from '../src/mysql-table-mapping.js';
import { DEFAULT_TYPE_OPTIONS, type MySqlTypeOptions } from '../src/mysql-types.js';

const ITEMS = 'conformance_items';
const TYPES = 'conformance_types';
const UUID_COLUMNS = [`${TYPES}.c_uuid`];

const TYPES_DDL = `(id BIGINT PRIMARY KEY, c_boolean BOOLEAN NULL, c_int64 BIGINT NULL, c_float64 DOUBLE NULL,
  c_text TEXT NULL, c_bytes BLOB NULL, c_decimal DECIMAL(38,6) NULL, c_date DATE NULL, c_time TIME(6) NULL,
  c_timestamp DATETIME(6) NULL, c_uuid CHAR(36) NULL, c_json JSON NULL) DEFAULT CHARSET=utf8mb4`;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

class MySqlConformanceNode implements ConformanceNode {
  readonly source: MySqlSource;
  readonly sink: MySqlSink;
  private readonly pool;
  private readonly options: MySqlTypeOptions = { ...DEFAULT_TYPE_OPTIONS, uuidColumns: new Set(UUID_COLUMNS) };

  constructor(
    readonly nodeId: string,
    readonly database: string,
    url: string,
  ) {
    this.source = new MySqlSource({
      id: `conformance-${nodeId}`,
      url,
      tables: [ITEMS, TYPES],
      heartbeatSeconds: 1,
      uuidColumns: UUID_COLUMNS,
    });
    this.sink = new MySqlSink({ id: `conformance-${nodeId}`, url, uuidColumns: UUID_COLUMNS });
    this.pool = createExactPool(url, { connectionLimit: 2 });
  }

  async setup(): Promise<void> {
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS ${quoteTable(this.database, ITEMS)} (id BIGINT PRIMARY KEY, name TEXT NULL, qty BIGINT NULL) DEFAULT CHARSET=utf8mb4`,
    );
    await this.pool.query(`CREATE TABLE IF NOT EXISTS ${quoteTable(this.database, TYPES)} ${TYPES_DDL}`);
    await this.sink.init();
  }

  async reset(): Promise<void> {
    for (const table of [ITEMS, TYPES]) await this.pool.query(`DELETE FROM ${quoteTable(this.database, table)}`);
    await this.pool.query(`DELETE FROM ${quoteTable(this.database, APPLIED_POSITIONS_TABLE)}`);
    await this.pool.query(`DELETE FROM ${quoteTable(this.database, ROW_VERSIONS_TABLE)}`);
  }

  async currentPosition(): Promise<SourcePosition> {
    return encodePosition(await currentBinlogEnd(this.pool));
  }

  private async mapping(table: TableRef): Promise<TableMapping> {
    const ref = { namespace: this.database, name: table.name };
    const schema = await readTableSchema(this.pool, ref.namespace, ref.name);
    if (schema === undefined) throw new Error(`no table ${ref.namespace}.${ref.name}`);
    return new TableMapping(ref, schema, this.options);
  }

  private async upsertSql(table: TableRef, row: Row): Promise<[string, unknown[]]> {
    const mapping = await this.mapping(table);
    const columns = Object.keys(row);
    const params = columns.map((name) => mapping.param(name, row[name] as Value));
    const updates = columns
      .filter((name) => name !== 'id')
      .map((name) => `${quoteId(name)} = VALUES(${quoteId(name)})`);
    const sql = `INSERT INTO ${quoteTable(this.database, table.name)} (${columns.map(quoteId).join(', ')}) VALUES (${columns
      .map(() => '?')
      .join(', ')}) ON DUPLICATE KEY UPDATE ${updates.length > 0 ? updates.join(', ') : '`id` = `id`'}`;
    return [sql, params];
  }

  private async deleteSql(table: TableRef, key: RowKey): Promise<[string, unknown[]]> {
    const mapping = await this.mapping(table);
    const where = key.map(([name]) => `${quoteId(name)} = ?`).join(' AND ');
    return [
      `DELETE FROM ${quoteTable(this.database, table.name)} WHERE ${where}`,
      key.map(([name, value]) => mapping.param(name, value)),
    ];
  }

  async write(table: TableRef, row: Row): Promise<void> {
    const [sql, params] = await this.upsertSql(table, row);
    await this.pool.query(sql, params);
  }

  async delete(table: TableRef, key: RowKey): Promise<void> {
    const [sql, params] = await this.deleteSql(table, key);
    await this.pool.query(sql, params);
  }

  async truncate(table: TableRef): Promise<void> {
    await this.pool.query(`TRUNCATE TABLE ${quoteTable(this.database, table.name)}`);
  }

  async transaction(ops: readonly ConformanceWrite[]): Promise<void> {
    const statements = [];
    for (const op of ops)
      statements.push(
        op.op === 'write' ? await this.upsertSql(op.table, op.row) : await this.deleteSql(op.table, op.key),
      );
    const connection = await this.pool.getConnection();
    try {
      await connection.query('START TRANSACTION');
      for (const [sql, params] of statements) await connection.query(sql, params);
      await connection.query('COMMIT');
    } catch (error) {
      await connection.query('ROLLBACK');
      throw error;
    } finally {
      connection.release();
    }
  }

  async read(table: TableRef, key: RowKey): Promise<Row | undefined> {
    const mapping = await this.mapping(table);
    const where = key.map(([name]) => `${quoteId(name)} = ?`).join(' AND ');
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${mapping.selectList()} FROM ${quoteTable(this.database, table.name)} WHERE ${where}`,
      key.map(([name, value]) => mapping.param(name, value)),
    );
    return rows[0] === undefined ? undefined : mapping.rowFromMySql(rows[0]);
  }

  async readAll(table: TableRef): Promise<Row[]> {
    const mapping = await this.mapping(table);
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${mapping.selectList()} FROM ${quoteTable(this.database, table.name)}`,
    );
    return rows.map((raw) => mapping.rowFromMySql(raw));
  }

  async close(): Promise<void> {
    await this.source.close();
    await this.sink.close();
    await this.pool.end();
  }
}

/**
 * Builds the harness over the MariaDB at `url`. The second node's database (`<database>_b`) is created if missing,
 * so the user needs CREATE on it.
 */
export async function createMySqlHarness(url: string): Promise<ConformanceHarness> {
  const databaseA = new URL(url).pathname.replace(/^\//, '');
  const databaseB = `${databaseA}_b`;
  const admin = await mysql.createConnection(url);
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${quoteId(databaseB)} DEFAULT CHARSET utf8mb4`);
  await admin.end();
  const nodeA = new MySqlConformanceNode('mysql-a', databaseA, url);
  const nodeB = new MySqlConformanceNode('mysql-b', databaseB, withDatabase(url, databaseB));
  await nodeA.setup();
  await nodeB.setup();
  return {
    nodeA,
    nodeB,
    items: { namespace: databaseA, name: ITEMS },
    types: {
      table: { namespace: databaseA, name: TYPES },
      columns: {
        c_boolean: 'boolean',
        c_int64: 'int64',
        c_float64: 'float64',
        c_text: 'text',
        c_bytes: 'bytes',
        c_decimal: 'decimal',
        c_date: 'date',
        c_time: 'time',
        c_timestamp: 'timestamp',
        c_uuid: 'uuid',
        c_json: 'json',
      },
      samples: {
        // MySQL and MariaDB print a negative zero as 0, so -0 does not survive a read.
        c_float64: [1.5, 1e300, -2.5e-300, 0.1 + 0.2],
        c_decimal: [
          { kind: 'decimal', value: '0.000000' },
          { kind: 'decimal', value: '-12345678901234567890.123456' },
        ],
        c_timestamp: [
          { kind: 'timestamp', micros: 0n, zoned: false },
          { kind: 'timestamp', micros: -1n, zoned: false },
          { kind: 'timestamp', micros: 1_700_000_000_123_456n, zoned: false },
        ],
      },
    },
    async reset() {
      await nodeA.reset();
      await nodeB.reset();
    },
    async close() {
      await nodeA.close();
      await nodeB.close();
    },
  };
}
