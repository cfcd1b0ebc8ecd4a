import pg from 'pg';

/**
 * Session settings every worker-sync connection runs with, so PostgreSQL's text output is the one
 * `postgres-types.ts` parses: ISO dates, UTC instants, hex bytea, shortest-exact floats.
 */
export const SESSION_SETTINGS: Readonly<Record<string, string>> = {
  DateStyle: 'ISO, MDY',
  TimeZone: 'UTC',
  bytea_output: 'hex',
  extra_float_digits: '1',
  IntervalStyle: 'postgres',
};

/** Every type is returned as PostgreSQL's text so `valueFromPg` maps it exactly (no lossy int8/numeric parsing). */
const rawTypes = {
  getTypeParser: () => (value: string) => value,
} as unknown as pg.CustomTypesConfig;

function options(): string {
  return Object.entries(SESSION_SETTINGS)
    .map(([name, value]) => `-c ${name}=${value.replace(/ /g, '\\ ')}`)
    .join(' ');
}

/**
 * A pool whose clients return raw text values and run with {@link SESSION_SETTINGS}. With `pipeline`, a client sends
 * each query as soon as it is issued instead of after the previous answer (the driver's pipeline mode), so a caller
 * that issues several statements before awaiting them pays one round trip for all.
 */
export function createExactPool(url: string, max: number, pipeline = false): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types: rawTypes, options: options(), pipeline });
  // An idle client's connection dropping must not crash the host; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** A single client with the same settings as {@link createExactPool}; the caller connects it. */
export function createExactClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url, types: rawTypes, options: options() });
}

/** Quotes an identifier with the driver's escaping. */
export function quoteIdent(name: string): string {
  return pg.escapeIdentifier(name);
}

/** `"schema"."table"`. */
export function quoteTable(schema: string, table: string): string {
  return `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`;
}

/** The fields of a PostgreSQL error the adapter reports (never the values or the connection string). */
export interface PgErrorFields {
  readonly code?: string;
  readonly message: string;
  readonly table?: string;
  readonly column?: string;
  readonly constraint?: string;
  readonly detail?: string;
}

/** Reads the fields of a `pg` DatabaseError (or any error) without depending on its class. */
export function pgErrorFields(error: unknown): PgErrorFields {
  const outer = error as Partial<PgErrorFields> & { message?: string; cause?: unknown };
  // pgwire keeps the server's fields on `cause` (its PgError wraps the ErrorResponse).
  const inner = outer?.cause as (Partial<PgErrorFields> & { message?: string }) | undefined;
  const e = outer?.code === undefined && typeof inner?.code === 'string' ? inner : outer;
  return {
    code: typeof e.code === 'string' ? e.code : undefined,
    message: typeof e.message === 'string' ? e.message : String(error),
    table: e.table,
    column: e.column,
    constraint: e.constraint,
    detail: e.detail,
  };
}

/** True for errors that a retry can fix: lost connections, serialization failures, deadlocks, shutdowns. */
export function isRetriablePgError(error: unknown): boolean {
  const { code, message } = pgErrorFields(error);
  if (code === undefined) return LOST_CONNECTION.test(message);
  // Node's socket errors carry a code too (ECONNRESET, EPIPE, …); no SQLSTATE class begins with E.
  if (NODE_SYSTEM_ERROR.test(code)) return true;
  return RETRIABLE_SQLSTATES.has(code) || code.startsWith('08');
}

const NODE_SYSTEM_ERROR = /^E[A-Z]+$/;
const LOST_CONNECTION = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection terminated|not queryable/i;
/** Serialization failure, deadlock, admin/crash shutdown, not accepting connections yet, too many connections. */
const RETRIABLE_SQLSTATES = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '53300']);
