import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/scenario.js';

describe('PostgreSQL ↔ MariaDB both ways', () => {
  it('converges to identical per-table digests after concurrent conflicting writes, with verified audit logs', async () => {
    const pgUrl = process.env.PG_LOCAL_URL;
    const mysqlUrl = process.env.MYSQL_URL;
    if (!pgUrl) throw new Error('PG_LOCAL_URL is not set: run `pnpm services up pg-local` first');
    if (!mysqlUrl) throw new Error('MYSQL_URL is not set: run `pnpm services up mariadb` first');
    const auditDirectory = await mkdtemp(join(tmpdir(), 'worker-sync-pg-mysql-audit-'));
    try {
      const { tables, audits } = await runScenario({ pgUrl, mysqlUrl, rows: 120, auditDirectory });
      for (const table of tables) expect(table.postgres).toBe(table.mariadb);
      expect(audits.map((a) => a.node)).toEqual(['postgres', 'mariadb']);
      for (const audit of audits) {
        expect(audit.code).toBe(0);
        expect(audit.report).toMatchObject({ ok: true });
        // Each side captured its 60 seed rows and applied the other side's 60, at the least.
        expect(audit.leaves).toBeGreaterThanOrEqual(120);
      }
    } finally {
      await rm(auditDirectory, { recursive: true, force: true });
    }
  });
});
