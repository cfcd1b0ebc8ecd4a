import { runConformanceSuite } from '@worker-sync/core/testing';
import { createMySqlHarness } from './mysql-harness.js';
import { mysqlUrl } from './support.js';

runConformanceSuite('MySqlSource/MySqlSink (MariaDB)', async () => createMySqlHarness(await mysqlUrl()));
