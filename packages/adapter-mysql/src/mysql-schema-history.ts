import type { Pool, RowDataPacket } from 'mysql2/promise';
import {
  type AlterAction,
  type ColumnDraft,
  type ColumnPlace,
  type DdlChange,
  parseDdl,
  type QualifiedName,
} from './ddl-parser.js';
import type { MySqlColumnDefinition } from './mysql-column.js';
import { quoteTable } from './mysql-connection.js';
import { SCHEMA_HISTORY_TABLE } from './mysql-metadata.js';
import type { TableSchema } from './mysql-table-catalog.js';

/** A schema change to persist: the table's schema from `position` on (undefined once dropped). */
export interface SchemaRecord {
  readonly database: string;
  readonly table: string;
  readonly position: string;
  readonly schema: TableSchema | undefined;
  readonly ddl?: string;
}

/** What one DDL statement did to the tracked tables. */
export interface DdlEffect {
  readonly records: readonly SchemaRecord[];
  readonly truncated: readonly QualifiedName[];
}

/**
 * The schemas of the captured tables as of the binlog position being decoded, as Debezium's schema history keeps
 * them: binlog rows carry column positions and types but not names, so every row is decoded with the schema that was
 * in force when it was written, never the current one. DDL from query events is applied in stream order, and each
 * change is persisted (by position) so that a restart from an older checkpoint decodes those positions correctly.
 */
export class SchemaHistory {
  private readonly current = new Map<string, TableSchema>();

  constructor(
    private readonly pool: Pool,
    private readonly metadataDatabase: string,
    private readonly sourceId: string,
    private readonly tracks: (database: string, table: string) => boolean,
  ) {}

  /** Loads the persisted history in force at `position` (every entry at or before it). */
  async load(position: string): Promise<void> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT table_ns, table_name, table_schema FROM ${quoteTable(this.metadataDatabase, SCHEMA_HISTORY_TABLE)}
        WHERE source_id = ? AND position <= ? ORDER BY position`,
      [this.sourceId, position],
    );
    this.current.clear();
    for (const row of rows) {
      const id = `${row.table_ns}.${row.table_name}`;
      const schema = JSON.parse(String(row.table_schema)) as TableSchema | null;
      if (schema === null) this.current.delete(id);
      else this.current.set(id, schema);
    }
  }

  /** The schema in force for a table, or undefined when it is unknown. */
  get(database: string, table: string): TableSchema | undefined {
    return this.current.get(`${database}.${table}`);
  }

  /** Sets a table's schema (from INFORMATION_SCHEMA at a known position) and returns the record to persist. */
  set(database: string, table: string, schema: TableSchema, position: string): SchemaRecord {
    this.current.set(`${database}.${table}`, schema);
    return { database, table, position, schema };
  }

  /** Applies one DDL statement at `position` (the end of its query event) to the tracked schemas. */
  apply(sql: string, defaultDatabase: string, position: string): DdlEffect {
    const records: SchemaRecord[] = [];
    const truncated: QualifiedName[] = [];
    for (const change of parseDdl(sql, defaultDatabase)) {
      this.applyChange(change, position, sql, records, truncated);
    }
    return { records, truncated };
  }

  private applyChange(
    change: DdlChange,
    position: string,
    ddl: string,
    records: SchemaRecord[],
    truncated: QualifiedName[],
  ): void {
    const record = (name: QualifiedName, schema: TableSchema | undefined): void => {
      if (!this.tracks(name.database, name.table)) return;
      const id = `${name.database}.${name.table}`;
      if (schema === undefined) this.current.delete(id);
      else this.current.set(id, schema);
      records.push({ database: name.database, table: name.table, position, schema, ddl });
    };
    switch (change.kind) {
      case 'create': {
        const like = change.like ? this.get(change.like.database, change.like.table) : undefined;
        const charset = change.defaultCharset ?? 'utf8mb4';
        const schema = like ?? {
          columns: change.columns.map((column) => definitionOf(column, charset)),
          primaryKey: change.primaryKey,
          defaultCharset: charset,
        };
        record(change.table, schema);
        return;
      }
      case 'alter': {
        let name = change.table;
        let schema = this.get(name.database, name.table);
        if (schema === undefined) return;
        for (const action of change.actions) {
          if (action.kind === 'rename-table') {
            record(name, undefined);
            name = action.to;
          } else schema = alter(schema, action);
        }
        record(name, schema);
        return;
      }
      case 'rename': {
        const schema = this.get(change.from.database, change.from.table);
        if (schema === undefined) return;
        record(change.from, undefined);
        record(change.to, schema);
        return;
      }
      case 'drop':
        if (this.get(change.table.database, change.table.table)) record(change.table, undefined);
        return;
      case 'truncate':
        if (this.tracks(change.table.database, change.table.table)) truncated.push(change.table);
        return;
    }
  }

  /** Persists schema records idempotently (a replayed DDL rewrites the same row). */
  async persist(records: readonly SchemaRecord[]): Promise<void> {
    for (const record of records) {
      await this.pool.query(
        `INSERT INTO ${quoteTable(this.metadataDatabase, SCHEMA_HISTORY_TABLE)}
           (source_id, table_ns, table_name, position, table_schema, ddl) VALUES (?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE table_schema = VALUES(table_schema), ddl = VALUES(ddl)`,
        [
          this.sourceId,
          record.database,
          record.table,
          record.position,
          JSON.stringify(record.schema ?? null),
          record.ddl ?? null,
        ],
      );
    }
  }
}

function definitionOf(column: ColumnDraft, tableCharset: string): MySqlColumnDefinition {
  return {
    name: column.name,
    columnType: column.columnType,
    charset: column.charset === undefined ? tableCharset : column.charset,
    nullable: column.nullable,
    ...(column.json ? { json: true } : {}),
  };
}

function place(columns: MySqlColumnDefinition[], column: MySqlColumnDefinition, where: ColumnPlace, at: number): void {
  if (where === undefined) columns.splice(at < 0 ? columns.length : at, 0, column);
  else if ('first' in where) columns.unshift(column);
  else columns.splice(columns.findIndex((c) => c.name.toLowerCase() === where.after.toLowerCase()) + 1, 0, column);
}

function alter(schema: TableSchema, action: AlterAction): TableSchema {
  const columns = [...schema.columns];
  const charset = schema.defaultCharset ?? 'utf8mb4';
  const indexOf = (name: string): number =>
    columns.findIndex((column) => column.name.toLowerCase() === name.toLowerCase());
  let primaryKey = [...schema.primaryKey];
  switch (action.kind) {
    case 'add':
      place(columns, definitionOf(action.column, charset), action.place, -1);
      if (action.column.primary) primaryKey = [action.column.name];
      break;
    case 'drop': {
      const index = indexOf(action.name);
      if (index >= 0) columns.splice(index, 1);
      primaryKey = primaryKey.filter((name) => name.toLowerCase() !== action.name.toLowerCase());
      break;
    }
    case 'change': {
      const index = indexOf(action.from);
      if (index < 0) break;
      columns.splice(index, 1);
      // A changed column is redefined whole: without its own character set it takes the table's default.
      const definition = definitionOf(action.column, charset);
      place(columns, definition, action.place, index);
      primaryKey = primaryKey.map((name) =>
        name.toLowerCase() === action.from.toLowerCase() ? action.column.name : name,
      );
      break;
    }
    case 'rename-column': {
      const index = indexOf(action.from);
      if (index >= 0) columns[index] = { ...columns[index]!, name: action.to };
      primaryKey = primaryKey.map((name) => (name.toLowerCase() === action.from.toLowerCase() ? action.to : name));
      break;
    }
    case 'primary-key':
      primaryKey = [...action.columns];
      break;
    case 'drop-primary-key':
      primaryKey = [];
      break;
    case 'convert-charset':
      return {
        columns: columns.map((column) =>
          column.charset === null || column.json ? column : { ...column, charset: action.charset },
        ),
        primaryKey,
        defaultCharset: action.charset,
      };
    case 'default-charset':
      return { columns, primaryKey, defaultCharset: action.charset };
    case 'rename-table':
      break;
  }
  return { columns, primaryKey, ...(schema.defaultCharset ? { defaultCharset: schema.defaultCharset } : {}) };
}
