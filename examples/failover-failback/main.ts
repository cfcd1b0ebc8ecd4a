/**
 * Failover and failback between two real PostgreSQL servers without losing a row (the problem of seed 004):
 * `pnpm services up pg-local pg-backup`, then `node --import tsx examples/failover-failback/main.ts`.
 * Prints every step, the conflicts and how each was settled, and a digest per table for each server.
 * Exits 0 only when both servers hold the same rows and every row written anywhere is present.
 */
import { fileURLToPath } from 'node:url';
import loadServicesEnv from '../../scripts/vitest-services-env.js';
import { runFailoverFailback } from './scenario.js';

async function main(): Promise<void> {
  loadServicesEnv();
  const localUrl = process.env.PG_LOCAL_URL;
  const backupUrl = process.env.PG_BACKUP_URL;
  if (!localUrl || !backupUrl)
    throw new Error('PG_LOCAL_URL / PG_BACKUP_URL are not set: run `pnpm services up pg-local pg-backup`');
  const report = await runFailoverFailback({
    localUrl,
    backupUrl,
    servicesScript: fileURLToPath(new URL('../../scripts/services.sh', import.meta.url)),
    log: (line) => console.log(line),
  });
  console.log('\n== conflicts and how each was settled (last-writer-wins)');
  for (const line of report.conflicts) console.log(`  ${line}`);
  if (report.conflicts.length === 0) console.log('  none');
  console.log('\n== per-table digests');
  for (const d of report.digests) {
    console.log(
      `  ${d.table}: local ${d.local} backup ${d.backup} (${d.rows} rows) ${d.local === d.backup ? 'identical' : 'DIFFERENT'}`,
    );
  }
  console.log(
    `\n== rows written anywhere and missing somewhere: ${report.missing.length === 0 ? 'none' : report.missing.join(', ')}`,
  );
  console.log(`== dead letters: ${report.deadLetters}`);
  console.log(report.converged ? '\nCONVERGED: every row on both servers, both identical.' : '\nNOT CONVERGED.');
  process.exitCode = report.converged && report.deadLetters === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
