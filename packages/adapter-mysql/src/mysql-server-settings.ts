import { ConfigurationError } from '@worker-sync/core';
import type { Pool } from 'mysql2/promise';

/** What the source needs of the server, with the reason the error gives when a setting differs. */
const REQUIRED: readonly { readonly name: string; readonly value: string; readonly why: string }[] = [
  { name: 'log_bin', value: '1', why: 'the binlog is the change log' },
  { name: 'binlog_format', value: 'ROW', why: 'rows, not statements, are captured' },
  {
    name: 'binlog_row_image',
    value: 'FULL',
    why: 'every captured row must be whole: keys, unchanged columns and the row an update or delete replaced',
  },
];

/**
 * Checks the server's global binlog settings before any change is read: with statement or mixed logging, or with
 * minimal row images, rows would be missing or partial with no error. A session may still override its own
 * `binlog_format` or `binlog_row_image`; that cannot be seen from here, and the README says not to.
 */
export async function checkServerSettings(pool: Pool, sourceId: string): Promise<void> {
  const [rows] = await pool.query(
    `SELECT ${REQUIRED.map((setting) => `@@GLOBAL.${setting.name} AS ${setting.name}`).join(', ')}`,
  );
  const found = (rows as Record<string, unknown>[])[0] ?? {};
  for (const setting of REQUIRED) {
    const value = String(found[setting.name] ?? '').toUpperCase();
    if (value !== setting.value) {
      throw new ConfigurationError(
        `MySqlSource ${sourceId}: the server has ${setting.name}=${value || 'unset'}, and capture needs ${setting.value} (${setting.why})`,
      );
    }
  }
}
