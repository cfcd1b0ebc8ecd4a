import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFailoverFailback } from '../scenario.js';

const servicesScript = fileURLToPath(new URL('../../../scripts/services.sh', import.meta.url));

describe('failover to pg-backup and failback to pg-local', () => {
  it('converges with every row on both servers, conflicts settled by LWW, no dead letters and a verified audit log', async () => {
    const localUrl = process.env.PG_LOCAL_URL;
    const backupUrl = process.env.PG_BACKUP_URL;
    if (!localUrl || !backupUrl) throw new Error('PG_LOCAL_URL / PG_BACKUP_URL are not set: run `pnpm services up`');
    try {
      const report = await runFailoverFailback({ localUrl, backupUrl, servicesScript, convergeSeconds: 90 });
      console.log(
        `failover-failback: ${report.writes} writes, local ${report.digests[0]?.localRows} rows, backup ${report.digests[0]?.backupRows} rows, ` +
          `pg-local down ${report.localDownMillis} ms, converged ${report.convergeMillis} ms after it answered, ` +
          `${report.conflictsTotal} conflicts, ${report.deadLetters} dead letters, ${report.audit.leaves} audit leaves`,
      );
      expect(report.missing).toEqual([]);
      expect(report.wrong).toEqual([]);
      for (const digest of report.digests) {
        expect(digest.local).toBe(digest.backup);
        expect(digest.localRows).toBe(report.accountsExpected);
        expect(digest.backupRows).toBe(report.accountsExpected);
      }
      expect(report.converged).toBe(true);
      expect(report.conflictsTotal).toBeGreaterThan(0);
      expect(report.conflictsParked).toBe(0);
      for (const conflict of report.conflicts) {
        expect(conflict.resolver).toBe('last-writer-wins');
        expect(['local', 'remote']).toContain(conflict.outcome);
      }
      expect(report.deadLetters).toBe(0);
      expect(report.audit.replayOk).toBe(true);
      expect(report.audit.checkpointSize).toBe(report.audit.leaves);
      expect(report.audit.captured).toBe(report.writes);
    } finally {
      // The scenario restarts pg-local itself; this also covers a failure between its kill and its restart.
      execFileSync('bash', [servicesScript, 'up', 'pg-local'], { stdio: 'ignore' });
    }
  }, 240_000);
});
