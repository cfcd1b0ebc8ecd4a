import { decodeColumnHlcs, type RowKey, type RowVersion, type TableRef } from '@worker-sync/core';
import { valueToPg } from './postgres-types.js';

/** Schema holding worker-sync's own tables. */
export const METADATA_SCHEMA = 'worker_sync';
/** Shadow table of row versions, co-written by the sink in the same transaction as the rows it applies. */
export const ROW_VERSIONS = `${METADATA_SCHEMA}.row_versions`;
/** Last position applied per (origin node, source id), co-written by the sink. */
export const APPLIED_POSITIONS = `${METADATA_SCHEMA}.applied_positions`;
/** Lease fencing tokens per replication slot. */
export const LEASES = `${METADATA_SCHEMA}.leases`;
/** Prefix of the transactional logical message each sink transaction starts with. */
export const SINK_MESSAGE_PREFIX = 'worker_sync.sink';

/** Advisory lock key that serialises metadata DDL between concurrent sinks and sources. */
const DDL_LOCK = 7_264_202_611;

/** DDL creating worker-sync's tables (idempotent, serialised by an advisory transaction lock). */
export function metadataDdl(): string {
  return `BEGIN;
SELECT pg_advisory_xact_lock(${DDL_LOCK});
CREATE SCHEMA IF NOT EXISTS ${METADATA_SCHEMA};
CREATE TABLE IF NOT EXISTS ${ROW_VERSIONS} (
  table_name text COLLATE "C" NOT NULL,
  row_key text COLLATE "C" NOT NULL,
  vv text NOT NULL,
  hlc bigint NOT NULL,
  writer text NOT NULL,
  deleted boolean NOT NULL,
  columns text,
  key_columns text,
  row_columns text,
  PRIMARY KEY (table_name, row_key)
);
ALTER TABLE ${ROW_VERSIONS} ADD COLUMN IF NOT EXISTS key_columns text, ADD COLUMN IF NOT EXISTS row_columns text;
-- Shadow rows written before the JSON columns became text: jsonb input costs the server far more per row.
DO $$ BEGIN
  IF (SELECT data_type FROM information_schema.columns
       WHERE table_schema = '${METADATA_SCHEMA}' AND table_name = 'row_versions' AND column_name = 'vv') = 'jsonb' THEN
    ALTER TABLE ${ROW_VERSIONS} ALTER COLUMN vv TYPE text USING vv::text, ALTER COLUMN columns TYPE text USING columns::text,
      ALTER COLUMN key_columns TYPE text USING key_columns::text, ALTER COLUMN row_columns TYPE text USING row_columns::text;
  END IF;
  -- Keys compared bytewise: the index is cheaper to maintain than under a linguistic collation, and order is unused.
  IF (SELECT collation_name FROM information_schema.columns
       WHERE table_schema = '${METADATA_SCHEMA}' AND table_name = 'row_versions' AND column_name = 'row_key') IS DISTINCT FROM 'C' THEN
    ALTER TABLE ${ROW_VERSIONS} ALTER COLUMN table_name TYPE text COLLATE "C", ALTER COLUMN row_key TYPE text COLLATE "C";
  END IF;
END $$;
CREATE TABLE IF NOT EXISTS ${APPLIED_POSITIONS} (
  origin text NOT NULL,
  source_id text NOT NULL,
  position text COLLATE "C" NOT NULL,
  PRIMARY KEY (origin, source_id)
);
CREATE TABLE IF NOT EXISTS ${LEASES} (
  slot text PRIMARY KEY,
  token bigint NOT NULL,
  holder text NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now()
);
COMMIT;`;
}

/** The shadow table's name for a table: `schema.table`, unquoted, as the source sees it in pgoutput relations. */
export function shadowTableName(table: TableRef): string {
  return `${table.namespace}.${table.name}`;
}

/**
 * The shadow table's key for a row: a JSON list of the key's PostgreSQL text forms, computed from neutral values on
 * both sides (sink and source) so the two always agree.
 */
export function shadowRowKey(key: RowKey): string {
  return JSON.stringify(key.map(([, value]) => valueToPg(value)));
}

/** Shadow columns (text forms, as a query or pgoutput returns them) to a {@link RowVersion}. */
export function versionFromShadow(row: {
  vv: string | null | undefined;
  hlc: string | null | undefined;
  writer: string | null | undefined;
  deleted: string | boolean | null | undefined;
  columns?: string | null | undefined;
}): RowVersion {
  const version: RowVersion = {
    vv: JSON.parse(String(row.vv)) as RowVersion['vv'],
    hlc: BigInt(String(row.hlc)),
    writer: String(row.writer),
    deleted: row.deleted === true || row.deleted === 't' || row.deleted === 'true',
  };
  if (row.columns === null || row.columns === undefined) return version;
  return { ...version, columns: decodeColumnHlcs(row.columns, version.hlc) };
}
