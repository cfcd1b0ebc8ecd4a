/** MySQL error numbers after which trying again can succeed. */
const RETRIABLE_ERRNOS = new Set([
  1205, // ER_LOCK_WAIT_TIMEOUT
  1213, // ER_LOCK_DEADLOCK
  1040, // ER_CON_COUNT_ERROR
  2006, // CR_SERVER_GONE_ERROR
  2013, // CR_SERVER_LOST
]);

const RETRIABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'PROTOCOL_CONNECTION_LOST']);

/** True when a mysql2 error is transient (lock conflicts, lost connections). */
export function isRetriableMySqlError(error: unknown): boolean {
  const { errno, code } = (error ?? {}) as { errno?: number; code?: string };
  return (errno !== undefined && RETRIABLE_ERRNOS.has(errno)) || (code !== undefined && RETRIABLE_CODES.has(code));
}

/** A short description of a mysql2 error: code and message, never connection parameters. */
export function describeMySqlError(error: unknown): string {
  if (error instanceof Error) {
    const { code } = error as { code?: string };
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * The cause to attach to a worker-sync error: code, errno and message of a mysql2 error without its `sql` text,
 * which would carry row values into logs.
 */
export function safeCause(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const { code, errno, sqlState } = error as { code?: string; errno?: number; sqlState?: string };
  return Object.assign(new Error(error.message), { code, errno, sqlState });
}

/** The column a server error message names (`… for column 'x' …`), if any. */
export function columnOfError(error: unknown): { column?: string } {
  const match = /column [`']([^`']+)[`']/i.exec(String((error as Error)?.message ?? ''));
  return match ? { column: match[1]! } : {};
}
