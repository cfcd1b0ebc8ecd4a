import { execFileSync } from 'node:child_process';
import { InProcessTransport, lastWriterWins, MemoryCheckpointStore, type SyncEngineStatus } from '@worker-sync/core';
import pg from 'pg';
import { FailoverConnection } from './failover-connection.js';
import { type SyncNode, syncNode } from './sync-node.js';

const TABLE = 'ff_accounts';

/** What the scenario found. */
export interface FailoverReport {
  readonly steps: readonly string[];
  readonly conflicts: readonly string[];
  readonly digests: readonly { table: string; local: string; backup: string; rows: number }[];
  readonly missing: readonly string[];
  readonly deadLetters: number;
  readonly converged: boolean;
}

/** Where the servers are and how to stop and start pg-local. */
export interface ScenarioOptions {
  readonly localUrl: string;
  readonly backupUrl: string;
  /** Path of `scripts/services.sh`. */
  readonly servicesScript: string;
  readonly log?: (line: string) => void;
}

async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

async function reset(url: string, slot: string): Promise<void> {
  await sql(url, 'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  await sql(url, `DROP PUBLICATION IF EXISTS ${slot}`);
  await sql(url, `DROP TABLE IF EXISTS public.${TABLE}`);
  await sql(
    url,
    `CREATE TABLE public.${TABLE} (id int8 PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) NOT NULL, note text)`,
  );
  await sql(
    url,
    `DO $$ BEGIN IF to_regclass('worker_sync.row_versions') IS NOT NULL THEN
       DELETE FROM worker_sync.row_versions WHERE table_name = 'public.${TABLE}';
       DELETE FROM worker_sync.applied_positions WHERE origin IN ('local', 'backup'); END IF; END $$`,
  );
}

async function digest(url: string): Promise<{ md5: string; rows: number; ids: Set<string> }> {
  const result = await sql(
    url,
    `SELECT coalesce(md5(string_agg(id || ':' || owner || ':' || balance || ':' || coalesce(note, ''), ',' ORDER BY id)), '') AS md5,
            count(*)::int AS rows, coalesce(array_agg(id::text), '{}') AS ids FROM public.${TABLE}`,
  );
  const row = result.rows[0];
  return { md5: row.md5, rows: row.rows, ids: new Set(row.ids as string[]) };
}

async function until(check: () => Promise<boolean>, what: string, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (
      await check().catch((error: unknown) => {
        if (process.env.FF_DEBUG) console.error(error);
        return false;
      })
    )
      return;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function withTimeout(promise: Promise<unknown>, millis: number): Promise<void> {
  await Promise.race([promise.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, millis))]);
}

function describeConflicts(status: SyncEngineStatus): string[] {
  return status.conflicts.recent.map(
    (c) =>
      `${status.node}: ${c.table.namespace}.${c.table.name} id=${String(c.key[0]?.[1])} — ${c.resolver} → ${c.outcome} (local writer ${c.localWriter}, remote writer ${c.remoteWriter})`,
  );
}

/**
 * The failover/failback scenario: the application writes to pg-local; local is killed hard with writes not yet
 * synced; the application fails over to pg-backup and keeps writing, including the same rows; local comes back and
 * worker-sync (one engine per server, last-writer-wins) brings both servers to the same state.
 */
export async function runFailoverFailback(options: ScenarioOptions): Promise<FailoverReport> {
  const log = options.log ?? (() => undefined);
  const steps: string[] = [];
  const step = (line: string) => {
    steps.push(line);
    log(line);
  };
  const services = (...args: string[]) => execFileSync('bash', [options.servicesScript, ...args], { stdio: 'ignore' });
  await reset(options.localUrl, 'worker_sync_ff_local');
  await reset(options.backupUrl, 'worker_sync_ff_backup');

  const transport = new InProcessTransport({ partitions: 4 });
  const checkpoints = { local: new MemoryCheckpointStore(), backup: new MemoryCheckpointStore() };
  const start = (name: 'local' | 'backup'): SyncNode =>
    syncNode(
      name,
      name === 'local' ? options.localUrl : options.backupUrl,
      [TABLE],
      transport,
      lastWriterWins,
      checkpoints[name],
    );
  const local = start('local');
  const backup = start('backup');
  // The slots exist before the application writes, so the log keeps every change from here on.
  await local.source.init();
  await backup.source.init();
  await local.engine.start();
  await backup.engine.start();
  const app = new FailoverConnection(options.localUrl, options.backupUrl);
  const written = new Set<string>();
  const deleted = new Set<string>();
  const insert = async (id: number, note: string) => {
    await app.query(`INSERT INTO public.${TABLE} VALUES ($1, $2, $3, $4)`, [
      id,
      `owner ${id}`,
      (id * 10).toFixed(2),
      note,
    ]);
    written.add(String(id));
  };
  const equal = async () => (await digest(options.localUrl)).md5 === (await digest(options.backupUrl)).md5;

  step('1. the application writes 40 accounts to pg-local; worker-sync copies them to pg-backup');
  for (let id = 1; id <= 40; id++) await insert(id, 'opened on local');
  await until(async () => (await digest(options.backupUrl)).rows === 40 && (await equal()), 'the first copy');

  step('2. pg-local takes writes that are not synced yet (its engine is paused): accounts 1–5 updated, 41–45 opened');
  local.engine.pause();
  for (let id = 1; id <= 5; id++) {
    await app.query(
      `UPDATE public.${TABLE} SET balance = balance + 1, note = 'local, before the crash' WHERE id = $1`,
      [id],
    );
  }
  for (let id = 41; id <= 45; id++) await insert(id, 'opened on local, before the crash');

  step(
    '3. pg-local is killed hard (kill -9 of its postmaster); its engine stays paused, holding its place in the transport',
  );
  services('down', '--hard', 'pg-local');

  step(
    '4. the application fails over to pg-backup and keeps writing: accounts 1–3 updated again, 46–60 opened, 20 closed',
  );
  for (let id = 1; id <= 3; id++) {
    await app.query(
      `UPDATE public.${TABLE} SET balance = balance - 5, note = 'backup, during the split' WHERE id = $1`,
      [id],
    );
  }
  step(`   (the application is now writing to ${app.target})`);
  for (let id = 46; id <= 60; id++) await insert(id, 'opened on backup, during the split');
  await app.query(`DELETE FROM public.${TABLE} WHERE id = 20`);
  deleted.add('20');

  step('5. pg-local comes back; its engine resumes (the source reconnects from the last acknowledged LSN); failback');
  services('up', 'pg-local');
  local.engine.resume();
  app.failback();
  await until(equal, 'both servers to converge');
  // Quiet period: nothing more moves once both sides are equal.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await until(equal, 'both servers to stay converged');

  const [ls, bs] = await Promise.all([local.engine.status(), backup.engine.status()]);
  const [dl, db] = await Promise.all([digest(options.localUrl), digest(options.backupUrl)]);
  const expected = [...written].filter((id) => !deleted.has(id));
  const missing = expected.filter((id) => !dl.ids.has(id) || !db.ids.has(id));
  const report: FailoverReport = {
    steps,
    conflicts: [...describeConflicts(ls), ...describeConflicts(bs)],
    digests: [{ table: `public.${TABLE}`, local: dl.md5, backup: db.md5, rows: dl.rows }],
    missing,
    deadLetters: ls.deadLetters.count + bs.deadLetters.count,
    converged: dl.md5 === db.md5 && missing.length === 0,
  };
  await withTimeout(local.engine.stop(), 5000);
  await withTimeout(backup.engine.stop(), 5000);
  for (const node of [local, backup]) {
    await node.source.close();
    await node.sink.close();
  }
  await transport.close();
  return report;
}
