/**
 * `pnpm --filter @worker-sync/example-pg-mysql start`: PostgreSQL ↔ MariaDB both ways with concurrent conflicting
 * writes, printing each table's digest over neutral values on both sides (identical once converged), and each node's
 * signed audit log as the offline verifier judged it.
 */
import { resolve } from 'node:path';
import { runScenario } from './scenario.js';

const pgUrl = process.env.PG_LOCAL_URL;
const mysqlUrl = process.env.MYSQL_URL;
if (!pgUrl || !mysqlUrl) {
  console.error('PG_LOCAL_URL and MYSQL_URL must be set: run `pnpm services up pg-local mariadb` first');
  process.exit(1);
}
const auditDirectory = resolve(process.env.WORKER_SYNC_DEMO_AUDIT ?? '.demo/audit');
const result = await runScenario({ pgUrl, mysqlUrl, auditDirectory, log: (line) => console.log(line) });
for (const table of result.tables) {
  console.log(`${table.table}: ${table.rows} rows  postgres ${table.postgres}  mariadb ${table.mariadb}`);
}
for (const audit of result.audits) {
  const verdict = audit.code === 0 ? 'verified' : `FAILED (exit ${audit.code})`;
  console.log(
    `audit log of ${audit.node}: ${audit.leaves} signed leaves, replay ${verdict}: ${JSON.stringify(audit.report)}`,
  );
  console.log(`  check it yourself: ${audit.command}`);
}
const ok = result.tables.every((t) => t.postgres === t.mariadb) && result.audits.every((a) => a.code === 0);
process.exitCode = ok ? 0 : 1;
