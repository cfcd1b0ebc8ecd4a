import type { Pool, PoolConnection } from 'mysql2/promise';
import { formatSql } from './mysql-connection.js';
import type { Statement } from './sink-statements.js';

/**
 * Bytes of SQL text sent in one multi-statement query at most. Well under every server's `max_allowed_packet`
 * default (4 MiB on old MySQL, 16 MiB on MariaDB 10.11, 64 MiB on MySQL 8); beyond it one more round trip costs
 * little next to the work of that much data. A single statement longer than this is sent on its own, as it would be
 * without scripts.
 */
const SCRIPT_BYTES = 1 << 20;

/**
 * Runs statements in order in as few round trips as {@link SCRIPT_BYTES} allows: each statement's values are escaped
 * on the client by mysql2 (identifiers are already quoted with `escapeId`), and consecutive statements are joined
 * into one multi-statement query. Needs a connection with `multipleStatements` on. The server stops at the first
 * statement that fails and reports its error; the statements before it have run, those after it have not.
 *
 * @returns each statement's result (rows of a SELECT, the OK packet of anything else), in order.
 */
export async function runScript(db: Pool | PoolConnection, statements: readonly Statement[]): Promise<unknown[]> {
  const results: unknown[] = [];
  let texts: string[] = [];
  let bytes = 0;
  const send = async (): Promise<void> => {
    if (texts.length === 0) return;
    const [result] = await db.query(texts.join(';\n'));
    // mysql2 returns a lone statement's result as is, and several statements' results as an array.
    if (texts.length === 1) results.push(result);
    else results.push(...(result as unknown[]));
    texts = [];
    bytes = 0;
  };
  for (const statement of statements) {
    const text = statement.params.length === 0 ? statement.sql : formatSql(statement.sql, statement.params);
    const length = Buffer.byteLength(text);
    if (bytes > 0 && bytes + length > SCRIPT_BYTES) await send();
    texts.push(text);
    bytes += length + 2;
  }
  await send();
  return results;
}
