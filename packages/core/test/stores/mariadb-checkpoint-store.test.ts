import mysql from 'mysql2/promise';
import { afterAll, describe } from 'vitest';
import { SqlCheckpointStore } from '../../src/store/sql-checkpoint-store.js';
import { mysqlExecutor } from '../../src/store/sql-executor.js';
import { connectOrExplain, requireServiceUrl } from '../smoke/require-service.js';
import { checkpointStoreContract } from './checkpoint-store-contract.js';
import { failingBeforePosition } from './failing-executor.js';

describe('SqlCheckpointStore against MariaDB', () => {
  const pool = mysql.createPool({ uri: requireServiceUrl('mariadb'), connectionLimit: 4 });
  afterAll(async () => {
    await pool.end();
  });

  checkpointStoreContract(
    async () => {
      await connectOrExplain('mariadb', () => pool.query('SELECT 1'));
      return new SqlCheckpointStore(mysqlExecutor(pool));
    },
    async () => new SqlCheckpointStore(failingBeforePosition(mysqlExecutor(pool))),
  );
});
