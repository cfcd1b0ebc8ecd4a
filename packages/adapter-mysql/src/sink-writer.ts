import { ApplyError, encodeColumnHlcs, encodeVersionVector, type RowVersion } from '@worker-sync/core';
import type { PoolConnection } from 'mysql2/promise';
import { sqlValue } from './mysql-connection.js';
import { columnOfError, describeMySqlError, isRetriableMySqlError, safeCause } from './mysql-errors.js';
import { ROW_VERSIONS_TABLE } from './mysql-metadata.js';
import type { TableMapping } from './mysql-table-mapping.js';
import { type RowState, tableKey, wrapMapping } from './sink-rows.js';
import {
  chunks,
  deleteStatement,
  insertStatement,
  insertTuplesStatement,
  type Statement,
  upsertStatement,
  upsertTuplesStatement,
} from './sink-statements.js';

/** Where and how big the sink writes. */
export interface FlushOptions {
  readonly metadataDatabase: string;
  readonly statementRows: number;
}

/** A write of the batch: the table it writes and, for data rows, the rows in statement order (for errors). */
export interface WriteStatement extends Statement {
  readonly table: string;
  readonly rows?: readonly RowState[];
}

/**
 * The statements writing the final state of every touched row: deletes, then upserts grouped by column set, then
 * versions. The caller sends them (with the batch position and COMMIT) in one round trip.
 */
export function flushStatements(states: readonly RowState[], options: FlushOptions): WriteStatement[] {
  const statements: WriteStatement[] = [];
  const deletes = states.filter((state) => state.write === null || state.replace);
  for (const group of groupBy(deletes, (state) => tableKey(state.mapping.table))) {
    const mapping = group[0]!.mapping;
    for (const part of chunks(group, options.statementRows)) {
      const keys = part.map((state) => state.key.map(([name, value]) => mapping.param(name, value)));
      const statement = deleteStatement(mapping.table.namespace, mapping.table.name, mapping.primaryKey, keys);
      statements.push({ ...statement, table: tableKey(mapping.table), rows: part });
    }
  }
  // Rows known to exist are upserted (the primary key is the first unique index checked, so the update hits that
  // row); new rows are plainly inserted, so a clash on another unique key is an error, never an update of the
  // wrong row. A key someone else inserts between the read and the insert fails the batch with a retriable error.
  const writes = states.filter((state) => state.write !== null && state.write !== undefined);
  const groups = groupBy(
    writes,
    // Rows built from changes of one shape list their columns in one order: grouping on that order, unsorted, puts
    // them together without a sort per row (a set listed in two orders only makes two statements).
    (state) => `${tableKey(state.mapping.table)}|${isUpdate(state)}|${Object.keys(state.write!).join(',')}`,
  );
  for (const group of groups) {
    const mapping = group[0]!.mapping;
    const columns = columnsOf(group[0]!);
    for (const part of chunks(group, options.statementRows)) {
      const rows = part.map((state) => paramsOf(state, columns));
      const { namespace, name } = mapping.table;
      const statement = isUpdate(group[0]!)
        ? upsertStatement(namespace, name, columns, mapping.primaryKey, rows)
        : insertStatement(namespace, name, columns, rows);
      statements.push({ ...statement, table: tableKey(mapping.table), rows: part });
    }
  }
  statements.push(
    ...versionStatements(
      states.filter((state) => state.versionDirty),
      options,
    ),
  );
  return statements;
}

/** The shadow table's columns, in the order {@link shadowTuple} writes them. */
const SHADOW_COLUMNS = [
  'row_hash',
  'table_ns',
  'table_name',
  'row_key',
  'vv',
  'hlc',
  'writer',
  'deleted',
  'column_hlcs',
];

/**
 * Shadow rows the batch read are upserted; the others are plainly inserted. Reads in READ COMMITTED lock no gaps, so
 * two sinks can both find a row's version absent: the second insert then fails with a duplicate key, a retriable
 * error, and the retry judges the change against the version the first one wrote, instead of overwriting it.
 */
function versionStatements(states: readonly RowState[], options: FlushOptions): WriteStatement[] {
  // A batch is a few tables and writers: their literals are escaped once, not once per row.
  const literals = new Map<TableMapping | string, string>();
  const table = `${options.metadataDatabase}.${ROW_VERSIONS_TABLE}`;
  const statements: WriteStatement[] = [];
  for (const versioned of [true, false]) {
    const group = states.filter((state) => state.versioned === versioned);
    for (const part of chunks(group, options.statementRows)) {
      const tuples = part.map((state) => shadowTuple(state, literals));
      const statement = versioned
        ? upsertTuplesStatement(options.metadataDatabase, ROW_VERSIONS_TABLE, SHADOW_COLUMNS, ['row_hash'], tuples)
        : insertTuplesStatement(options.metadataDatabase, ROW_VERSIONS_TABLE, SHADOW_COLUMNS, tuples);
      statements.push({ ...statement, table, rows: part });
    }
  }
  return statements;
}

/** A row's shadow version as an SQL tuple in {@link SHADOW_COLUMNS} order. */
function shadowTuple(state: RowState, literals: Map<TableMapping | string, string>): string {
  const version = state.version!;
  let table = literals.get(state.mapping);
  if (table === undefined) {
    table = `${sqlValue(state.mapping.table.namespace)}, ${sqlValue(state.mapping.table.name)}`;
    literals.set(state.mapping, table);
  }
  let writer = literals.get(version.writer);
  if (writer === undefined) {
    writer = sqlValue(version.writer);
    literals.set(version.writer, writer);
  }
  const vv = sqlValue(versionVectorText(version.vv));
  const columns = sqlValue(encodeColumnHlcs(version.columns, version.hlc));
  return `(X'${state.hashHex}', ${table}, ${sqlValue(state.keyText)}, ${vv}, ${version.hlc}, ${writer}, ${version.deleted ? 1 : 0}, ${columns})`;
}

/**
 * Explains why a batch's writes, sent together, failed: the server reports the error but not which statement of the
 * query raised it. After the caller's rollback this runs the statements again one by one in a transaction that is
 * always rolled back, and names the table, key, column and change index of the one that fails. A failure that does
 * not recur (a row inserted or deleted concurrently) is reported as retriable.
 */
export async function explainWriteFailure(
  connection: PoolConnection,
  statements: readonly WriteStatement[],
  error: unknown,
): Promise<ApplyError> {
  let why = 'did not recur when the statements were run one by one';
  try {
    await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
    await connection.query('START TRANSACTION');
    for (const statement of statements) {
      try {
        await connection.query(statement.sql, statement.params);
      } catch (again) {
        return writeError(statement, again);
      }
    }
  } catch (lost) {
    why = `could not be narrowed down: ${describeMySqlError(lost)}`;
  } finally {
    await connection.query('ROLLBACK').catch(() => undefined);
  }
  return new ApplyError(`writing the batch: ${describeMySqlError(error)} (${why})`, columnOfError(error), true, {
    cause: safeCause(error),
  });
}

/** The error of one write statement, naming the row from the server's `at row N` where it gives one. */
function writeError(statement: WriteStatement, error: unknown): ApplyError {
  const part = statement.rows ?? [];
  const row = /at row (\d+)/.exec(String((error as Error).message));
  const state = row ? part[Number(row[1]) - 1] : part.length === 1 ? part[0] : undefined;
  return new ApplyError(
    `${statement.table}: ${describeMySqlError(error)}${state ? ` (key ${state.keyText}, change ${state.index})` : ''}`,
    {
      table: statement.table,
      ...(state ? { key: state.keyText, index: state.index } : {}),
      ...columnOfError(error),
    },
    // A new key inserted by someone else between the read and the insert: a retry finds it and updates it.
    isRetriableMySqlError(error) || (error as { errno?: number }).errno === 1062,
    { cause: safeCause(error) },
  );
}

/** The bound values of a row's written columns; a value that does not map names table, column, key and change. */
function paramsOf(state: RowState, columns: readonly string[]): unknown[] {
  const params = new Array<unknown>(columns.length);
  let column = 0;
  try {
    for (; column < columns.length; column++) {
      params[column] = state.mapping.param(columns[column]!, state.write![columns[column]!]!);
    }
  } catch (error) {
    wrapMapping(
      () => {
        throw error;
      },
      state,
      state.index,
      columns[column],
    );
    throw error;
  }
  return params;
}

function isUpdate(state: RowState): boolean {
  return state.stored && !state.replace;
}

/**
 * {@link encodeVersionVector}'s canonical text. A vector whose node ids are listed in order already (the usual case:
 * one or two nodes) is that text as JSON.stringify writes it, without the sorted copy.
 */
export function versionVectorText(vv: RowVersion['vv']): string {
  const nodes = Object.keys(vv);
  for (let i = 1; i < nodes.length; i++) if (!(nodes[i - 1]! < nodes[i]!)) return encodeVersionVector(vv);
  return JSON.stringify(vv);
}

function columnsOf(state: RowState): string[] {
  return Object.keys(state.write ?? {}).sort();
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}
