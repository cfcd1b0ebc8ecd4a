import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/scenario.js';

describe('PostgreSQL ↔ MariaDB both ways', () => {
  it('converges to identical per-table digests after concurrent conflicting writes on both sides', async () => {
    const pgUrl = process.env.PG_LOCAL_URL;
    const mysqlUrl = process.env.MYSQL_URL;
    if (!pgUrl) throw new Error('PG_LOCAL_URL is not set: run `pnpm services up pg-local` first');
    if (!mysqlUrl) throw new Error('MYSQL_URL is not set: run `pnpm services up mariadb` first');
    const results = await runScenario({ pgUrl, mysqlUrl, rows: 120 });
    for (const result of results) expect(result.postgres).toBe(result.mariadb);
  });
});
