import type pg from 'pg';
import { sql } from './accounts-table.js';

/**
 * The application's database connection: it writes to the primary and, when the primary cannot be reached, fails
 * over to the backup (as a pooler or a driver with several hosts would). `failback()` returns it to the primary.
 */
export class FailoverConnection {
  private current: 'primary' | 'backup' = 'primary';

  constructor(
    private readonly primaryUrl: string,
    private readonly backupUrl: string,
  ) {}

  /** Which server the last statement went to. */
  get target(): 'primary' | 'backup' {
    return this.current;
  }

  /** Runs one statement in its own transaction, failing over once if the current server is unreachable. */
  async query(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
    try {
      return await sql(this.current === 'primary' ? this.primaryUrl : this.backupUrl, text, values, 2000);
    } catch (error) {
      if (this.current === 'backup' || !isUnreachable(error)) throw error;
      this.current = 'backup';
      return sql(this.backupUrl, text, values, 2000);
    }
  }

  /** Sends the next statements to the primary again. */
  failback(): void {
    this.current = 'primary';
  }
}

function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return /ECONNREFUSED|ECONNRESET|57P0[123]|08\d\d/.test(code) || /timeout|terminat|ECONN/i.test(String(error));
}
