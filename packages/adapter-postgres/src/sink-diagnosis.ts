import { ApplyError, type ChangeBatch, ConnectionError, type TableRef, WorkerSyncError } from '@worker-sync/core';
import type pg from 'pg';
import { isRetriablePgError, pgErrorFields } from './postgres-connection.js';
import { shadowRowKey } from './postgres-metadata.js';
import { readTable } from './postgres-table-catalog.js';
import { valueToPg } from './postgres-types.js';

/**
 * Turns a failed set-based apply into an ApplyError that names table, column, key and change index. A multi-row
 * statement cannot say which row failed, so after the rollback this re-checks the batch change by change (each
 * value cast to its column's type inside a savepoint) in a transaction that is rolled back. Messages carry the
 * SQLSTATE and type, never the offending value.
 */
export async function diagnoseFailure(
  pool: pg.Pool,
  batch: ChangeBatch,
  error: unknown,
  targetOf: (ref: TableRef) => TableRef,
): Promise<ApplyError | ConnectionError> {
  const failure = pgErrorFields(error);
  let client: pg.PoolClient | undefined;
  try {
    client = await pool.connect();
    await client.query('BEGIN');
    const found = await findBadValue(client, batch, targetOf);
    if (found !== undefined) return found;
  } catch (diagnosisError) {
    if (diagnosisError instanceof WorkerSyncError) return diagnosisError as ApplyError;
    // The server went away while the batch was checked: retry it later rather than dead-letter good changes.
    if (isRetriablePgError(diagnosisError)) {
      return new ConnectionError(
        `PostgreSQL applying batch ${batch.id}: ${failure.message}; then unreachable: ${pgErrorFields(diagnosisError).message}`,
        { cause: error },
      );
    }
  } finally {
    await client?.query('ROLLBACK').catch(() => undefined);
    client?.release();
  }
  const index = batch.events.findIndex((event) => failure.table === undefined || event.table.name === failure.table);
  const event = batch.events[Math.max(index, 0)];
  const table =
    event === undefined ? failure.table : `${targetOf(event.table).namespace}.${targetOf(event.table).name}`;
  const key = event === undefined ? undefined : shadowRowKey(event.key);
  const what = failure.constraint === undefined ? '' : ` (constraint ${failure.constraint})`;
  return new ApplyError(
    `applying batch ${batch.id} to ${table ?? 'PostgreSQL'} failed at change ${Math.max(index, 0)}, key ${key}: ${failure.message}${what} [SQLSTATE ${failure.code ?? '?'}]`,
    { table, column: failure.column, key, index: Math.max(index, 0) },
    false,
    { cause: error },
  );
}

async function findBadValue(
  client: pg.PoolClient,
  batch: ChangeBatch,
  targetOf: (ref: TableRef) => TableRef,
): Promise<ApplyError | undefined> {
  for (const [index, event] of batch.events.entries()) {
    if (event.after === undefined) continue;
    const ref = targetOf(event.table);
    const label = `${ref.namespace}.${ref.name}`;
    const key = shadowRowKey(event.key);
    let table: Awaited<ReturnType<typeof readTable>>;
    try {
      table = await readTable(client, ref);
    } catch (error) {
      if (error instanceof ApplyError)
        return new ApplyError(`${error.message} (change ${index}, key ${key})`, { table: label, key, index });
      throw error;
    }
    for (const [name, value] of Object.entries(event.after)) {
      const column = table.columns.get(name);
      if (column === undefined) {
        return new ApplyError(`column ${name} does not exist in table ${label} (change ${index}, key ${key})`, {
          table: label,
          column: name,
          key,
          index,
        });
      }
      await client.query('SAVEPOINT worker_sync_check');
      try {
        await client.query(`SELECT $1::${column.type}`, [valueToPg(value, { table: label, column: name })]);
        await client.query('RELEASE SAVEPOINT worker_sync_check');
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT worker_sync_check');
        const code = error instanceof WorkerSyncError ? error.code : (pgErrorFields(error).code ?? '?');
        return new ApplyError(
          `column ${name} of ${label} (type ${column.type}) cannot hold the value of change ${index}, key ${key} [${code}]`,
          { table: label, column: name, key, index },
          false,
          { cause: error },
        );
      }
    }
  }
  return undefined;
}
