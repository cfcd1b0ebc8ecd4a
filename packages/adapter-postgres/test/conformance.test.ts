import { runConformanceSuite } from '@worker-sync/core/testing';
import { serviceUrl } from './pg-env.js';
import { createPostgresHarness } from './postgres-harness.js';

runConformanceSuite('PostgresSource/PostgresSink', () =>
  createPostgresHarness(serviceUrl('PG_LOCAL_URL'), serviceUrl('PG_BACKUP_URL')),
);
