import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, mysqlUrl, uniqueName } from './support.js';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

function startChild(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function count(url: string, table: string): Promise<number> {
  const c = await connect(url);
  const [rows] = await c.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
  await c.end();
  return Number(rows[0]!.n);
}

async function until(check: () => Promise<boolean>, what: string, attempts = 600): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('a pipeline process killed with SIGKILL mid-batch', () => {
  let url: string;
  const from = uniqueName('crash_a');
  const to = `${from}_b`;
  const log = join(tmpdir(), `${from}.log`);
  const total = 3000;

  beforeAll(async () => {
    url = await mysqlUrl();
    const c = await connect(url);
    await c.query(`CREATE TABLE ${from} (id INT PRIMARY KEY, v VARCHAR(20), n INT)`);
    await c.query(`CREATE TABLE ${to} (id INT PRIMARY KEY, v VARCHAR(20), n INT)`);
    await c.end();
  });

  it('restarts from the sink-recorded position with nothing lost and no batch applied twice', async () => {
    const env = { MYSQL_URL: url, CRASH_FROM: from, CRASH_TO: to, CRASH_LOG: log };
    let pipeline = startChild(env);
    const c = await connect(url);
    // The second half is written only after the kill, so the kill always lands while changes are still to come,
    // however fast the pipeline catches up with the first half.
    let killed!: () => void;
    const afterKill = new Promise<void>((resolve) => {
      killed = resolve;
    });
    const writes = (async () => {
      for (let tx = 0; tx < total / 10; tx++) {
        if (tx === total / 20) await afterKill;
        const rows = Array.from({ length: 10 }, (_, i) => tx * 10 + i + 1);
        await c.query(`INSERT INTO ${from} VALUES ${rows.map((id) => `(${id}, 'v${id}', 0)`).join(', ')}`);
        if (tx % 7 === 0) await c.query(`UPDATE ${from} SET n = n + 1 WHERE id <= ?`, [tx * 10]);
        if (tx % 11 === 0) await c.query(`DELETE FROM ${from} WHERE id = ?`, [tx * 10 + 1]);
      }
    })();
    await until(async () => (await count(url, to)) > 200, 'the first rows to arrive');
    pipeline.kill('SIGKILL');
    await new Promise((resolve) => pipeline.once('exit', resolve));
    const atKill = await count(url, to);
    killed();
    pipeline = startChild(env);
    await writes;
    await c.end();
    const expected = await count(url, from);
    await until(async () => {
      const a = await connect(url);
      const [diff] = await a.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM ${from} x LEFT JOIN ${to} y ON x.id = y.id AND x.v = y.v AND x.n = y.n WHERE y.id IS NULL`,
      );
      await a.end();
      return Number(diff[0]!.n) === 0 && (await count(url, to)) === expected;
    }, 'the copy to converge');
    pipeline.kill('SIGTERM');
    await new Promise((resolve) => pipeline.once('exit', resolve));
    expect(atKill).toBeLessThan(total);
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
    const c = await connect(url);
    await c.query(`DROP TABLE IF EXISTS ${from}, ${to}`);
    await c.end();
  });
});
