import type { CapturedChange, TableRef } from '@worker-sync/core';
import type pg from 'pg';
import { quoteIdent, quoteTable } from './postgres-connection.js';
import { shadowTableName } from './postgres-metadata.js';
import { readTable } from './postgres-table-catalog.js';
import { keyOfRow, keyTexts, rowFromResult } from './sink-rows.js';

/**
 * Reads tables in primary-key order, `chunkSize` rows per query (keyset pagination, never OFFSET), inside whatever
 * snapshot the caller's transaction runs in: the replication slot's exported snapshot for the initial copy, so the
 * copy and the stream meet exactly at the slot's consistent point.
 *
 * Each yielded chunk is a list of `insert` changes with `snapshot: true`, positioned by `positionOf(sequence)`.
 */
export async function* readSnapshot(
  client: pg.ClientBase,
  tables: readonly TableRef[],
  chunkSize: number,
  positionOf: (sequence: number) => string,
): AsyncGenerator<CapturedChange[]> {
  let sequence = 0;
  for (const ref of tables) {
    const table = await readTable(client, ref);
    const label = shadowTableName(ref);
    const keyList = table.key.map((c) => quoteIdent(c.name)).join(', ');
    let after: (string | null)[] | undefined;
    for (;;) {
      const where =
        after === undefined
          ? ''
          : `WHERE (${keyList}) > (${table.key.map((c, i) => `$${i + 1}::${c.type}`).join(', ')})`;
      const result = await client.query(
        `SELECT * FROM ${quoteTable(ref.namespace, ref.name)} ${where} ORDER BY ${keyList} LIMIT ${chunkSize}`,
        after ?? [],
      );
      if (result.rows.length === 0) break;
      sequence += 1;
      const position = positionOf(sequence);
      const changes = (result.rows as Record<string, string | null>[]).map((raw, index): CapturedChange => {
        const row = rowFromResult(result, raw, label);
        return {
          op: 'insert',
          table: ref,
          key: keyOfRow(table, row),
          after: row,
          position,
          tx: { id: `snapshot:${label}`, commitTimeMicros: 0n, index, last: index === result.rows.length - 1 },
          snapshot: true,
        };
      });
      yield changes;
      const last = changes[changes.length - 1]!;
      after = keyTexts(table, last.key);
      if (result.rows.length < chunkSize) break;
    }
  }
}
