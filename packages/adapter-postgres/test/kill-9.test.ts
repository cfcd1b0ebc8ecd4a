import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceUrl, sql, until } from './pg-env.js';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const local = serviceUrl('PG_LOCAL_URL');
const backup = serviceUrl('PG_BACKUP_URL');
const tableName = 'crash_items';
const log = join(tmpdir(), `worker-sync-pg-crash-${process.pid}.log`);

function startChild(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, CRASH_FROM: local, CRASH_TO: backup, CRASH_TABLE: tableName, CRASH_LOG: log },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function digest(url: string): Promise<{ n: number; md5: string }> {
  const result = await sql(
    url,
    `SELECT count(*)::int AS n, coalesce(md5(string_agg(id || ':' || v || ':' || n, ',' ORDER BY id)), '') AS md5 FROM public.${tableName}`,
  );
  return result.rows[0];
}

describe('a PostgreSQL pipeline process killed with SIGKILL mid-batch', () => {
  beforeAll(async () => {
    await sql(
      local,
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'worker_sync_crash'`,
    );
    await sql(local, 'DROP PUBLICATION IF EXISTS worker_sync_crash');
    for (const url of [local, backup]) {
      await sql(url, `DROP TABLE IF EXISTS public.${tableName}`);
      await sql(url, `CREATE TABLE public.${tableName} (id int8 PRIMARY KEY, v text NOT NULL, n int8 NOT NULL)`);
    }
    await sql(
      backup,
      `DO $$ BEGIN IF to_regclass('worker_sync.applied_positions') IS NOT NULL THEN DELETE FROM worker_sync.applied_positions WHERE origin = 'crash-node'; END IF; END $$`,
    );
    await sql(local, `INSERT INTO public.${tableName} SELECT g, 'seed' || g, 0 FROM generate_series(1, 500) g`);
  });

  it('restarts from the sink-recorded position: nothing lost, no batch applied twice, digests equal', async () => {
    let pipeline = startChild();
    const writer = new pg.Client({ connectionString: local });
    await writer.connect();
    const total = 500;
    // The second half is written only after the kill, so the kill always lands while changes are still to come,
    // however fast the pipeline catches up with the first half.
    let killed!: () => void;
    const afterKill = new Promise<void>((resolve) => {
      killed = resolve;
    });
    const writes = (async () => {
      for (let tx = 0; tx < total; tx++) {
        if (tx === total / 2) await afterKill;
        const ids = Array.from({ length: 10 }, (_, i) => 1000 + tx * 10 + i);
        await writer.query(`INSERT INTO public.${tableName} SELECT g, 'v' || g, 0 FROM unnest($1::int8[]) g`, [ids]);
        if (tx % 7 === 0)
          await writer.query(`UPDATE public.${tableName} SET n = n + 1 WHERE id <= $1`, [tx * 10 + 500]);
        if (tx % 11 === 0) await writer.query(`DELETE FROM public.${tableName} WHERE id = $1`, [1000 + tx * 10]);
      }
    })();
    await until(async () => (await digest(backup)).n > 520, 'the first rows to arrive');
    pipeline.kill('SIGKILL');
    await new Promise((resolve) => pipeline.once('exit', resolve));
    const atKill = (await digest(backup)).n;
    killed();
    pipeline = startChild();
    await writes;
    await writer.end();
    const expected = await digest(local);
    await until(async () => (await digest(backup)).md5 === expected.md5, 'the copy to converge');
    pipeline.kill('SIGTERM');
    await new Promise((resolve) => pipeline.once('exit', resolve));
    expect(atKill).toBeLessThan(expected.n);
    expect(await digest(backup)).toEqual(expected);
    const applied = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([, n, already]) => Number(n) > 0 && already === 'false')
      .map(([position]) => position);
    expect(new Set(applied).size).toBe(applied.length);
  });

  afterAll(async () => {
    if (existsSync(log)) rmSync(log);
  });
});
