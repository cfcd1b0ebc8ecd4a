import { MappingError, type Row, type RowKey, type TableRef, type Value } from '@worker-sync/core';
import { quoteId } from './mysql-connection.js';
import type { TableSchema } from './mysql-table-catalog.js';
import { fromMySql, type MappedColumn, type MySqlTypeOptions, mapColumn, toMySql } from './mysql-types.js';

/** One table's columns resolved for value mapping, shared by the sink, the snapshot and the binlog decoder. */
export class TableMapping {
  readonly columns: ReadonlyMap<string, MappedColumn>;
  readonly primaryKey: readonly string[];

  constructor(
    readonly table: TableRef,
    readonly schema: TableSchema,
    options: MySqlTypeOptions,
  ) {
    this.columns = new Map(schema.columns.map((column) => [column.name, mapColumn(table, column, options)]));
    this.primaryKey = schema.primaryKey;
    if (this.primaryKey.length === 0) {
      throw new MappingError(`${table.namespace}.${table.name} has no primary key; worker-sync needs one`, {
        table: `${table.namespace}.${table.name}`,
      });
    }
  }

  /** The column, or a MappingError naming table and column when the table has no such column. */
  column(name: string): MappedColumn {
    const column = this.columns.get(name);
    if (column === undefined) {
      const table = `${this.table.namespace}.${this.table.name}`;
      throw new MappingError(`${table} has no column ${name}`, { table, column: name });
    }
    return column;
  }

  /** A SELECT list reading every column exactly (FLOAT widened to DOUBLE so no digits are lost in text). */
  selectList(): string {
    return [...this.columns.values()]
      .map((column) => {
        const id = quoteId(column.definition.name);
        return column.role === 'float32' ? `CAST(${id} AS DOUBLE) AS ${id}` : id;
      })
      .join(', ');
  }

  /** A row as mysql2 or the binlog decoder returns it, in neutral values. */
  rowFromMySql(raw: Readonly<Record<string, unknown>>): Row {
    const row: Record<string, Value> = {};
    for (const [name, column] of this.columns) {
      if (name in raw) row[name] = fromMySql(raw[name], column);
    }
    return row;
  }

  /** The primary key of a neutral row, in key order. */
  keyOf(row: Row): RowKey {
    return this.primaryKey.map((name) => [name, row[name] ?? null] as const);
  }

  /**
   * A key from another engine in this table's key order and in the exact neutral form this table's columns give
   * back (e.g. a DECIMAL padded to its scale), so that it identifies the row as the binlog will.
   */
  normaliseKey(key: RowKey): RowKey {
    const values = new Map(key);
    return this.primaryKey.map((name) => {
      if (!values.has(name)) {
        const table = `${this.table.namespace}.${this.table.name}`;
        throw new MappingError(`key of ${table} lacks primary key column ${name}`, { table, column: name });
      }
      const column = this.column(name);
      const param = toMySql(values.get(name)!, column);
      return [name, fromMySql(column.role === 'decimal' ? padScale(String(param), column) : param, column)] as const;
    });
  }

  /** Binds a neutral value for a column. */
  param(name: string, value: Value): unknown {
    return toMySql(value, this.column(name));
  }
}

function padScale(text: string, column: MappedColumn): string {
  const scale = column.type.scale ?? 0;
  if (column.type.family !== 'decimal') return text;
  const [whole, fraction = ''] = text.split('.');
  if (scale === 0) return whole!;
  return `${whole}.${fraction.slice(0, scale).padEnd(scale, '0')}`;
}
