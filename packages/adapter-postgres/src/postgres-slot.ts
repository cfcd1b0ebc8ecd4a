import { ConnectionError, IntegrityError, type TableRef } from '@worker-sync/core';
import type pg from 'pg';
import { quoteIdent, quoteTable } from './postgres-connection.js';
import { METADATA_SCHEMA, metadataDdl } from './postgres-metadata.js';

/** The state of a replication slot as `pg_replication_slots` reports it. */
export interface SlotState {
  readonly exists: boolean;
  readonly confirmedFlush?: string;
  readonly walStatus?: string;
  readonly active?: boolean;
}

/** Formats a `pg_lsn` text (`A/BEEF`) as the fixed-width position (`0000000A/0000BEEF`) whose string order is LSN order. */
export function formatLsn(lsn: string): string {
  const [high = '0', low = '0'] = lsn.split('/');
  return `${high.padStart(8, '0')}/${low.padStart(8, '0')}`.toUpperCase();
}

/** A fixed-width LSN moved by `delta` bytes. */
export function lsnPlus(lsn: string, delta: bigint): string {
  const value = BigInt(`0x${lsn.replace('/', '')}`) + delta;
  const hex = value.toString(16).toUpperCase().padStart(16, '0');
  return `${hex.slice(0, 8)}/${hex.slice(8)}`;
}

/** Creates the metadata tables and the publication (or adds missing tables to it). */
export async function ensurePublication(
  client: pg.Pool | pg.ClientBase,
  publication: string,
  tables: readonly TableRef[],
): Promise<void> {
  await client.query(metadataDdl());
  const wanted = [...tables, { namespace: METADATA_SCHEMA, name: 'row_versions' }];
  const existing = await client.query<{ schemaname: string; tablename: string }>(
    'SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1',
    [publication],
  );
  const exists = (await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication])).rowCount! > 0;
  const list = (refs: readonly TableRef[]) => refs.map((t) => quoteTable(t.namespace, t.name)).join(', ');
  if (!exists) {
    await client.query(`CREATE PUBLICATION ${quoteIdent(publication)} FOR TABLE ${list(wanted)}`);
    return;
  }
  const have = new Set(existing.rows.map((row) => `${row.schemaname}.${row.tablename}`));
  const missing = wanted.filter((t) => !have.has(`${t.namespace}.${t.name}`));
  if (missing.length > 0) await client.query(`ALTER PUBLICATION ${quoteIdent(publication)} ADD TABLE ${list(missing)}`);
}

/**
 * The primary-key columns of each table, in key order, keyed by `schema.table`. The log marks key columns itself
 * only under the default replica identity; under `FULL` it marks every column.
 */
export async function primaryKeys(
  client: pg.Pool | pg.ClientBase,
  tables: readonly TableRef[],
): Promise<Map<string, string[]>> {
  // As JSON text: the source's pool reads every value as raw text, arrays included.
  const result = await client.query<{ schema: string; name: string; columns: string }>(
    `SELECT n.nspname AS schema, c.relname AS name,
            json_agg(a.attname ORDER BY k.ord)::text AS columns
       FROM unnest($1::text[], $2::text[]) AS t(schema, name)
       JOIN pg_namespace n ON n.nspname = t.schema
       JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.name
       JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      GROUP BY n.nspname, c.relname`,
    [tables.map((t) => t.namespace), tables.map((t) => t.name)],
  );
  return new Map(result.rows.map((row) => [`${row.schema}.${row.name}`, JSON.parse(row.columns) as string[]]));
}

/** Sets `REPLICA IDENTITY FULL` on the tables not set so yet. */
export async function setReplicaIdentityFull(
  client: pg.Pool | pg.ClientBase,
  tables: readonly TableRef[],
): Promise<void> {
  const result = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM unnest($1::text[], $2::text[]) AS t(schema, name)
       JOIN pg_namespace n ON n.nspname = t.schema
       JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.name
      WHERE c.relreplident <> 'f'`,
    [tables.map((t) => t.namespace), tables.map((t) => t.name)],
  );
  for (const row of result.rows) {
    await client.query(`ALTER TABLE ${quoteTable(row.schema, row.name)} REPLICA IDENTITY FULL`);
  }
}

/** The tables to capture: the configured list, or every table of schema `public`. */
export async function resolveTables(
  client: pg.Pool | pg.ClientBase,
  configured: readonly string[] | undefined,
): Promise<TableRef[]> {
  if (configured !== undefined) {
    return configured.map((name) => {
      const dot = name.indexOf('.');
      return dot < 0 ? { namespace: 'public', name } : { namespace: name.slice(0, dot), name: name.slice(dot + 1) };
    });
  }
  const result = await client.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  return result.rows.map((row) => ({ namespace: 'public', name: row.tablename }));
}

/** Reads a slot's state. */
export async function slotState(client: pg.Pool | pg.ClientBase, slot: string): Promise<SlotState> {
  const result = await client.query<{ confirmed_flush_lsn: string | null; wal_status: string | null; active: string }>(
    'SELECT confirmed_flush_lsn::text, wal_status, active::text FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
  const row = result.rows[0];
  if (row === undefined) return { exists: false };
  return {
    exists: true,
    confirmedFlush: row.confirmed_flush_lsn === null ? undefined : formatLsn(row.confirmed_flush_lsn),
    walStatus: row.wal_status ?? undefined,
    active: row.active === 't' || row.active === 'true',
  };
}

/** Drops a slot (waiting for a dead reader's walsender to let go of it). */
export async function dropSlot(client: pg.Pool | pg.ClientBase, slot: string): Promise<void> {
  await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [
    slot,
  ]);
}

/** The error an invalidated slot raises: no silent gap, and the way out named. */
export function slotLostError(slot: string): IntegrityError {
  return new IntegrityError(
    `replication slot ${slot} was invalidated (wal_status = lost): WAL this source had not read was removed. ` +
      "Changes since the last checkpoint cannot be read from the log; restart the source with onSlotLost: 'resnapshot' " +
      'to drop and recreate the slot and resynchronise every table from a fresh consistent snapshot.',
    'SLOT_LOST',
  );
}

/** Bytes of WAL the slot has not confirmed, and its WAL status. */
export async function slotLag(
  client: pg.Pool | pg.ClientBase,
  slot: string,
): Promise<{ bytes: bigint; walStatus: string | undefined }> {
  const result = await client.query<{ lag: string | null; wal_status: string | null }>(
    'SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::int8::text AS lag, wal_status FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
  const row = result.rows[0];
  if (row === undefined) throw new ConnectionError(`replication slot ${slot} does not exist`);
  return { bytes: BigInt(row.lag ?? '0'), walStatus: row.wal_status ?? undefined };
}
