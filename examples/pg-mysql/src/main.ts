/**
 * `pnpm --filter @worker-sync/example-pg-mysql start`: PostgreSQL ↔ MariaDB both ways with concurrent conflicting
 * writes, printing each table's digest over neutral values on both sides (identical once converged).
 */
import { runScenario } from './scenario.js';

const pgUrl = process.env.PG_LOCAL_URL;
const mysqlUrl = process.env.MYSQL_URL;
if (!pgUrl || !mysqlUrl) {
  console.error('PG_LOCAL_URL and MYSQL_URL must be set: run `pnpm services up pg-local mariadb` first');
  process.exit(1);
}
const results = await runScenario({ pgUrl, mysqlUrl, log: (line) => console.log(line) });
for (const result of results) {
  console.log(`${result.table}: ${result.rows} rows  postgres ${result.postgres}  mariadb ${result.mariadb}`);
}
