import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { SqlCheckpointStore } from '../../src/store/sql-checkpoint-store.js';
import { pgExecutor } from '../../src/store/sql-executor.js';
import { connectOrExplain, requireServiceUrl } from '../smoke/require-service.js';
import { checkpointStoreContract } from './checkpoint-store-contract.js';
import { failingBeforePosition } from './failing-executor.js';

describe('SqlCheckpointStore against PostgreSQL', () => {
  const pool = new pg.Pool({ connectionString: requireServiceUrl('pg-local'), max: 4 });
  afterAll(async () => {
    await pool.end();
  });

  checkpointStoreContract(
    async () => {
      await connectOrExplain('pg-local', () => pool.query('SELECT 1'));
      return new SqlCheckpointStore(pgExecutor(pool));
    },
    async () => new SqlCheckpointStore(failingBeforePosition(pgExecutor(pool))),
  );
});

describe('SqlCheckpointStore against PostgreSQL over one pg.Client', () => {
  const client = new pg.Client({ connectionString: requireServiceUrl('pg-local') });
  let connected: Promise<unknown> | undefined;
  afterAll(async () => {
    await client.end();
  });

  const open = async () => {
    connected ??= connectOrExplain('pg-local', () => client.connect());
    await connected;
    return new SqlCheckpointStore(pgExecutor(client));
  };
  checkpointStoreContract(open, async () => new SqlCheckpointStore(failingBeforePosition(pgExecutor(client))));
});
