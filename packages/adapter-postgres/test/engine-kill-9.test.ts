import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceUrl, sql, until } from './pg-env.js';

const child = fileURLToPath(new URL('./engine-crash-child.ts', import.meta.url));
const local = serviceUrl('PG_LOCAL_URL');
const backup = serviceUrl('PG_BACKUP_URL');
const table = 'engine_crash_items';
const quoted = `public.${pg.escapeIdentifier(table)}`;
let engines: ChildProcess | undefined;

/** Starts the engines' process; resolves once both engines run (their slots exist, so no later write is missed). */
async function startEngines(): Promise<ChildProcess> {
  const started = spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, CRASH_LOCAL: local, CRASH_BACKUP: backup, CRASH_TABLE: table },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    started.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('started')) resolve();
    });
    started.once('exit', (code) => reject(new Error(`the engines' process exited with ${code} before starting`)));
  });
  return started;
}

async function kill(process: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (process.exitCode !== null || process.signalCode !== null) return;
  const exited = new Promise((resolve) => process.once('exit', resolve));
  process.kill(signal);
  await exited;
}

async function digest(url: string): Promise<{ n: number; md5: string }> {
  const result = await sql(
    url,
    `SELECT count(*)::int AS n, coalesce(md5(string_agg(id || ':' || v || ':' || n, ',' ORDER BY id)), '') AS md5 FROM ${quoted}`,
  );
  return result.rows[0];
}

/** Writes `count` transactions of ten rows from `first` on, with updates and deletes among them. */
async function write(url: string, first: number, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let tx = 0; tx < count; tx++) {
      const ids = Array.from({ length: 10 }, (_, i) => first + tx * 10 + i);
      await client.query(`INSERT INTO ${quoted} SELECT g, 'v' || g, 0 FROM unnest($1::int8[]) g`, [ids]);
      if (tx % 7 === 0)
        await client.query(`UPDATE ${quoted} SET n = n + 1 WHERE id BETWEEN $1 AND $2`, [ids[9]! - 100, ids[9]]);
      if (tx % 11 === 0) await client.query(`DELETE FROM ${quoted} WHERE id = $1`, [ids[0]]);
    }
  } finally {
    await client.end();
  }
}

describe('two SyncEngines in one process killed with SIGKILL mid-stream', () => {
  beforeAll(async () => {
    for (const [url, node] of [
      [local, 'k9local'],
      [backup, 'k9backup'],
    ] as const) {
      const slot = `worker_sync_${node}`;
      await sql(url, 'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [
        slot,
      ]);
      await sql(url, `DROP PUBLICATION IF EXISTS ${pg.escapeIdentifier(slot)}`);
      await sql(url, `DROP TABLE IF EXISTS ${quoted}`);
      await sql(url, `CREATE TABLE ${quoted} (id int8 PRIMARY KEY, v text NOT NULL, n int8 NOT NULL)`);
      await sql(
        url,
        `DO $$ BEGIN
           IF to_regclass('worker_sync_checkpoints') IS NOT NULL THEN
             DELETE FROM worker_sync_checkpoints WHERE source_id IN ('k9local', 'k9backup');
             DELETE FROM worker_sync_log_view WHERE source_id IN ('k9local', 'k9backup'); END IF;
           IF to_regclass('worker_sync.applied_positions') IS NOT NULL THEN
             DELETE FROM worker_sync.applied_positions WHERE origin IN ('k9local', 'k9backup');
             DELETE FROM worker_sync.row_versions WHERE table_name = 'public.${table}'; END IF; END $$`,
      );
    }
  });

  it('restarts from the checkpoints with nothing lost on either side: digests equal', async () => {
    engines = await startEngines();
    const writes = Promise.all([write(local, 1_000, 600), write(backup, 100_000, 600)]);
    // Kill it again and again while both sides write: each time, batches are somewhere between capture and apply.
    await until(async () => (await digest(backup)).n > 100, 'the first rows');
    for (let kills = 1; kills <= 4; kills++) {
      await new Promise((resolve) => setTimeout(resolve, 300 * kills));
      await kill(engines, 'SIGKILL');
      engines = await startEngines();
    }
    await writes;
    const [atLocal, atBackup] = [await digest(local), await digest(backup)];
    expect(atLocal.n).toBeGreaterThan(5_000);
    await until(async () => {
      const [l, b] = [await digest(local), await digest(backup)];
      return l.md5 === b.md5;
    }, 'both sides to converge');
    const [l, b] = [await digest(local), await digest(backup)];
    expect(l).toEqual(b);
    // 600 transactions of 10 rows on each side, the first row of every 11th deleted.
    expect(l.n).toBe(2 * (6_000 - 55));
    expect(atBackup.n).toBeLessThanOrEqual(l.n);
  });

  afterAll(async () => {
    if (engines !== undefined) await kill(engines, 'SIGTERM');
  });
});
