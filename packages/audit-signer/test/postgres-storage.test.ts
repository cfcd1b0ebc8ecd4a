import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLog,
  Ed25519Signer,
  exportCheckpointChain,
  exportJsonLines,
  PostgresStorage,
  parseTrustPolicy,
  verifyChain,
  verifyReplay,
} from '../src/index.js';
import { capturedRecord } from '../src/test-events.js';

const ORIGIN = 'audit.example/pg';
const prefix = `audit_test_${randomBytes(4).toString('hex')}`;
const signer = Ed25519Signer.generate('pg-2026');
const policy = parseTrustPolicy(JSON.stringify({ origin: ORIGIN, keys: [{ key: signer.verifierKey }] }));
let pool: pg.Pool;

function pgUrl(): string {
  const url = process.env.PG_LOCAL_URL;
  if (url === undefined || url === '') throw new Error('PG_LOCAL_URL is not set: run `pnpm services up pg-local`');
  return url;
}

async function openLog() {
  const storage = await PostgresStorage.open({ pool, tablePrefix: prefix });
  return { storage, log: await AuditLog.open({ origin: ORIGIN, storage, signers: [signer], checkpointIntervalMs: 0 }) };
}

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: pgUrl(), max: 4 });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `cannot reach PostgreSQL at ${new URL(pgUrl()).host}: run \`pnpm services up pg-local\` (${String(error)})`,
    );
  }
});

afterAll(async () => {
  for (const t of ['leaves', 'checkpoints']) await pool.query(`DROP TABLE IF EXISTS ${prefix}_${t}`);
  await pool.query(`DROP FUNCTION IF EXISTS ${prefix}_append_only() CASCADE`);
  await pool.end();
});

describe('PostgresStorage', () => {
  it('stores leaves and checkpoints that survive a reopen and verify offline', async () => {
    const first = await openLog();
    await first.log.appendRecords(Array.from({ length: 30 }, (_, i) => capturedRecord(i + 1)));
    await first.log.checkpoint();
    await first.log.appendRecords([capturedRecord(5), capturedRecord(31)]);
    await first.log.checkpoint();
    const root = first.log.root();
    await first.log.close();
    const { log, storage } = await openLog();
    expect(log.size).toBe(31);
    expect(log.root()).toEqual(root);
    const notes = await log.checkpoints();
    expect(verifyReplay(await exportJsonLines(storage), notes[1] as string, policy)).toMatchObject({ treeSize: '31' });
    expect(verifyChain(await exportCheckpointChain(log), policy)).toMatchObject({ checkpoints: 2 });
    await log.close();
  });

  it('rejects UPDATE, DELETE and TRUNCATE through the append-only trigger', async () => {
    await expect(pool.query(`UPDATE ${prefix}_leaves SET leaf = '\\x00' WHERE idx = 0`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`DELETE FROM ${prefix}_leaves WHERE idx = 0`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`TRUNCATE ${prefix}_checkpoints`)).rejects.toThrow(/append-only/);
  });

  it('commits or rolls back the audit append with the sink transaction it shares', async () => {
    await pool.query(`CREATE TABLE IF NOT EXISTS ${prefix}_orders (id bigint PRIMARY KEY)`);
    try {
      let { log } = await openLog();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${prefix}_orders VALUES (100)`);
        await log.appendRecords([capturedRecord(100)], { transaction: client });
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
      await log.close();
      ({ log } = await openLog());
      expect(log.size).toBe(31);
      const again = await pool.connect();
      try {
        await again.query('BEGIN');
        await again.query(`INSERT INTO ${prefix}_orders VALUES (100)`);
        await log.appendRecords([capturedRecord(100)], { transaction: again });
        await again.query('COMMIT');
      } finally {
        again.release();
      }
      await log.close();
      ({ log } = await openLog());
      expect(log.size).toBe(32);
      await log.close();
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${prefix}_orders`);
    }
  });
});
