/**
 * `pnpm bench pg`: PostgreSQL → PostgreSQL through worker-sync against PostgreSQL's own logical replication
 * (publication + subscription) between the same two servers (pg-local → pg-backup), in the same run, same rows.
 *
 * - throughput: N rows are committed on pg-local while the reader is paused, then the reader starts and the time
 *   until pg-backup holds all N rows gives rows/s (native: subscription disabled, then enabled).
 * - lag at a fixed rate: rows committed at R rows/s (transactions of R/100 rows every 10 ms); each row records its
 *   commit-side `created_at` (local clock_timestamp()) and pg-backup fills `applied_at` (a column only the target
 *   has, so both the sink's insert and the subscription's apply worker fill its default). Lag p50/p99 =
 *   applied_at − created_at, both clocks on this machine.
 *
 * Two worker-sync legs:
 * - adapters: PostgresSource → batch codec (encode + decode, what the in-process transport carries) → PostgresSink,
 *   one transaction per batch with versions and positions co-written, acknowledging the slot after each apply;
 *   stamping is done here (one version per change), no engine. Reading runs one batch ahead of applying.
 * - engine: the same source and sink through two SyncEngine nodes (node `local` captures, judges and publishes;
 *   node `backup` applies with the version-vector decider) over an InProcessTransport with its default partitions
 *   and in-memory checkpoints: what a host running the engine gets, one way as native replication is measured.
 *
 * Also printed: the CPU time each process spends per row during the throughput runs (both servers, read from
 * `/proc`, and this one, where worker-sync runs and every leg polls for arrivals), with the rate that much CPU allows
 * on this machine's cores: native replication works in the servers, worker-sync in this process and the servers.
 *
 * Bounded: `--rows N` (default 50000, at most 100000), `--rate R` rows/s (default 10000), `--seconds S` of
 * fixed-rate load (default 5), `--partitions P` of the engine leg's transport (default: the transport's). Loopback only.
 */

import { availableParallelism } from 'node:os';
import { PostgresSink, PostgresSource } from '@worker-sync/adapter-postgres';
import {
  type ChangeBatch,
  decodeBatch,
  encodeBatch,
  InProcessTransport,
  MemoryCheckpointStore,
  MemoryDeadLetterStore,
  SyncEngine,
} from '@worker-sync/core';
import pg from 'pg';
import { dropPostgresLeftovers } from './leftovers.js';
import { findServerProcess, startServerCpu } from './server-cpu.js';

interface Options {
  readonly rows: number;
  readonly rate: number;
  readonly seconds: number;
  /** Partitions of the engine leg's in-process transport (its default is 1). */
  readonly partitions: number | undefined;
}

function parseArgs(args: string[]): Options {
  const value = (name: string, fallback: number): number => {
    const index = args.indexOf(`--${name}`);
    return index === -1 ? fallback : Number(args[index + 1]);
  };
  return {
    rows: Math.min(value('rows', 50_000), 100_000),
    rate: value('rate', 10_000),
    seconds: Math.min(value('seconds', 5), 30),
    partitions: args.includes('--partitions') ? value('partitions', 4) : undefined,
  };
}

async function query(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** `created_at` on both sides; `applied_at` only on the target, filled by its default when a row is applied. */
async function createTables(local: string, backup: string, table: string): Promise<void> {
  await query(
    local,
    `CREATE TABLE public.${table} (id int8 PRIMARY KEY, name text NOT NULL, qty int8 NOT NULL,
    price numeric(10,2) NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  );
  await query(
    backup,
    `CREATE TABLE public.${table} (id int8 PRIMARY KEY, name text NOT NULL, qty int8 NOT NULL,
    price numeric(10,2) NOT NULL, created_at timestamptz NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  );
}

async function insertRows(client: pg.Client, table: string, from: number, count: number): Promise<void> {
  await client.query(
    `INSERT INTO public.${table} (id, name, qty, price) SELECT g, 'item-' || g, g % 97, (g % 100000) / 100.0 FROM generate_series($1::int8, $2::int8) g`,
    [from, from + count - 1],
  );
}

async function countRows(url: string, table: string): Promise<number> {
  return (await query(url, `SELECT count(*)::int AS n FROM public.${table}`)).rows[0].n;
}

async function waitForRows(url: string, table: string, expected: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  while ((await countRows(url, table)) < expected) {
    if (Date.now() > deadline) throw new Error(`${table}: rows did not arrive within 300 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Commits rows at a fixed rate for `seconds`, ids from `from`; returns the number of rows written. */
async function fixedRate(url: string, table: string, from: number, options: Options): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const perTick = Math.max(1, Math.round(options.rate / 100));
  const ticks = options.seconds * 100;
  const started = performance.now();
  for (let tick = 0; tick < ticks; tick++) {
    await insertRows(client, table, from + tick * perTick, perTick);
    const due = started + (tick + 1) * 10;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await client.end();
  return ticks * perTick;
}

async function lagPercentiles(backup: string, table: string, fromId: number): Promise<{ p50: number; p99: number }> {
  const result = await query(
    backup,
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
       FROM (SELECT extract(epoch FROM applied_at - created_at) * 1000 AS ms FROM public.${table} WHERE id >= $1) s`,
    [fromId],
  );
  return { p50: Number(result.rows[0].p50), p99: Number(result.rows[0].p99) };
}

/**
 * Runs the worker-sync pipeline until aborted: reading runs ahead while the previous batch is applied (one apply at
 * a time, in order, as the engine's apply pipeline does), and the slot is acknowledged after each apply.
 */
async function pipeline(source: PostgresSource, sink: PostgresSink, signal: AbortSignal): Promise<void> {
  const origin = 'bench-local';
  let sequence = 0;
  let applying: Promise<void> = Promise.resolve();
  for await (const captured of source.stream({ signal })) {
    sequence += 1;
    const batch: ChangeBatch = {
      id: `${origin}/${source.id}/${captured.resumeAfter}`,
      origin,
      sourceId: source.id,
      position: captured.resumeAfter,
      events: captured.changes.map((change, index) => ({
        ...change,
        origin,
        sourceId: source.id,
        version: {
          vv: { [origin]: sequence * 1_000_000 + index },
          hlc: BigInt(sequence),
          writer: origin,
          deleted: change.op === 'delete',
        },
      })),
    };
    const carried = decodeBatch(encodeBatch(batch));
    const previous = applying;
    applying = (async () => {
      await previous;
      if (carried.events.length > 0) {
        await sink.apply(carried, (incoming) => ({
          kind: 'write',
          row: incoming.op === 'delete' ? null : (incoming.after ?? null),
          version: incoming.version,
        }));
      }
      await source.acknowledge(captured.resumeAfter);
    })();
    // Read at most one batch ahead of the sink (backpressure).
    await previous;
    if (signal.aborted) break;
  }
  await applying;
}

/** What a worker-sync leg reports. */
interface LegResult {
  readonly rate: number;
  readonly cpu: CpuPerRow;
  readonly p50: number;
  readonly p99: number;
}

/** CPU µs per row during a throughput run, by process (undefined where it could not be read). */
interface CpuPerRow {
  readonly local: number | undefined;
  readonly backup: number | undefined;
  /** This process: worker-sync's legs, and for every leg the polling that watches rows arrive. */
  readonly workerSync: number;
}

/** The servers' main processes, found by their data directories. */
interface Servers {
  readonly local: number | undefined;
  readonly backup: number | undefined;
}

async function serverProcess(url: string): Promise<number | undefined> {
  const directory = (await query(url, 'SHOW data_directory').catch(() => undefined))?.rows[0]?.data_directory;
  return typeof directory === 'string' ? findServerProcess(directory) : undefined;
}

/** Starts measuring the CPU of both servers and this process; the returned function gives it per row. */
function measureCpu(servers: Servers): (rows: number) => CpuPerRow {
  const local = startServerCpu(servers.local);
  const backup = startServerCpu(servers.backup);
  const ours = process.cpuUsage();
  return (rows) => {
    const perRow = (micros: number | undefined) => (micros === undefined ? undefined : micros / rows);
    return { local: perRow(local.stop()), backup: perRow(backup.stop()), workerSync: cpuMicros(ours) / rows };
  };
}

/** A leg's fresh table on both servers, with a source reading it on pg-local and a sink on pg-backup, both ready. */
async function openLeg(
  local: string,
  backup: string,
  prefix: string,
  lease: boolean,
): Promise<{ table: string; source: PostgresSource; sink: PostgresSink }> {
  const table = `${prefix}_${Date.now().toString(36)}`;
  await createTables(local, backup, table);
  const source = new PostgresSource({ id: table, url: local, tables: [table], maxBatchChanges: 5000, lease });
  const sink = new PostgresSink({ id: 'bench', url: backup });
  await source.init();
  await sink.init();
  return { table, source, sink };
}

async function workerSyncLeg(local: string, backup: string, servers: Servers, options: Options): Promise<LegResult> {
  const { table, source, sink } = await openLeg(local, backup, 'bench_ws', true);
  await seedRows(local, table, options.rows);
  const controller = new AbortController();
  let running: Promise<void> = Promise.resolve();
  const result = await measureLeg(local, backup, table, servers, options, async () => {
    running = pipeline(source, sink, controller.signal).catch((error: unknown) => {
      if (!controller.signal.aborted) throw error;
    });
  });
  controller.abort();
  await source.close();
  await running;
  await sink.close();
  await dropSourceSlot(local, table);
  await dropLegTables(local, backup, table);
  return result;
}

/**
 * Runs a leg's measurements once `start` has set worker-sync going on seeded rows: throughput and CPU per row until
 * pg-backup holds them all, then lag at the fixed rate.
 */
async function measureLeg(
  local: string,
  backup: string,
  table: string,
  servers: Servers,
  options: Options,
  start: () => Promise<void>,
): Promise<LegResult> {
  const started = performance.now();
  const cpu = measureCpu(servers);
  await start();
  await waitForRows(backup, table, options.rows);
  const rate = options.rows / ((performance.now() - started) / 1000);
  const cpuPerRow = cpu(options.rows);
  const lagFrom = options.rows + 1;
  const written = await fixedRate(local, table, lagFrom, options);
  await waitForRows(backup, table, options.rows + written);
  return { rate, cpu: cpuPerRow, ...(await lagPercentiles(backup, table, lagFrom)) };
}

/** CPU time (user + system, µs) this process spent since `since`, a `process.cpuUsage()` reading. */
function cpuMicros(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

/** The same rows and load through SyncEngine: node `local` reads pg-local, node `backup` applies to pg-backup. */
async function engineLeg(local: string, backup: string, servers: Servers, options: Options): Promise<LegResult> {
  const { table, source, sink } = await openLeg(local, backup, 'bench_eng', false);
  const transport = new InProcessTransport(options.partitions === undefined ? {} : { partitions: options.partitions });
  const common = { transport, resolver: 'last-writer-wins', deadLetters: new MemoryDeadLetterStore() } as const;
  const engines = [
    new SyncEngine({ ...common, node: 'local', sources: [source], checkpoints: new MemoryCheckpointStore() }),
    new SyncEngine({ ...common, node: 'backup', sinks: [sink], checkpoints: new MemoryCheckpointStore() }),
  ];
  try {
    await seedRows(local, table, options.rows);
    return await measureLeg(local, backup, table, servers, options, async () => {
      for (const engine of engines) await engine.start();
    });
  } finally {
    for (const engine of engines) await engine.stop().catch(() => undefined);
    await transport.close();
    await source.close();
    await sink.close();
    await dropSourceSlot(local, table);
    await dropLegTables(local, backup, table);
  }
}

/** The rows a leg starts from, inserted in chunks of 5,000. */
async function seedRows(url: string, table: string, rows: number): Promise<void> {
  const writer = new pg.Client({ connectionString: url });
  await writer.connect();
  for (let from = 1; from <= rows; from += 5000) await insertRows(writer, table, from, Math.min(5000, rows - from + 1));
  await writer.end();
}

/**
 * Drops a leg's table on both servers with the sink's shadow rows and positions for it, so every run (and every leg)
 * starts from the same metadata, however many runs came before.
 */
async function dropLegTables(local: string, backup: string, table: string): Promise<void> {
  for (const url of [local, backup]) await query(url, `DROP TABLE IF EXISTS public.${table}`);
  await query(backup, 'DELETE FROM worker_sync.row_versions WHERE table_name = $1', [`public.${table}`]).catch(
    () => undefined,
  );
  await query(backup, 'DELETE FROM worker_sync.applied_positions WHERE source_id = $1', [table]).catch(() => undefined);
}

/** Drops the slot and publication a PostgresSource created for `table` (its id). */
async function dropSourceSlot(url: string, table: string): Promise<void> {
  const name = `worker_sync_${table}`;
  await query(url, 'SELECT pg_drop_replication_slot($1)', [name]).catch(() => undefined);
  await query(url, `DROP PUBLICATION IF EXISTS ${pg.escapeIdentifier(name)}`);
}

async function nativeLeg(local: string, backup: string, servers: Servers, options: Options): Promise<LegResult> {
  const table = `bench_native_${Date.now().toString(36)}`;
  await createTables(local, backup, table);
  const target = new URL(local);
  const conninfo = `host=${target.hostname} port=${target.port} dbname=${target.pathname.slice(1)} user=${decodeURIComponent(
    target.username,
  )} password=${decodeURIComponent(target.password)}`;
  await query(local, `CREATE PUBLICATION ${table} FOR TABLE public.${table}`);
  await query(
    backup,
    `CREATE SUBSCRIPTION ${table} CONNECTION '${conninfo.replace(/'/g, "''")}' PUBLICATION ${table} WITH (copy_data = false, enabled = false)`,
  );
  await seedRows(local, table, options.rows);
  const started = performance.now();
  const cpu = measureCpu(servers);
  await query(backup, `ALTER SUBSCRIPTION ${table} ENABLE`);
  await waitForRows(backup, table, options.rows);
  const rate = options.rows / ((performance.now() - started) / 1000);
  const cpuPerRow = cpu(options.rows);
  const lagFrom = options.rows + 1;
  const written = await fixedRate(local, table, lagFrom, options);
  await waitForRows(backup, table, options.rows + written);
  const lag = await lagPercentiles(backup, table, lagFrom);
  await query(backup, `DROP SUBSCRIPTION ${table}`);
  await query(local, `DROP PUBLICATION ${table}`);
  await dropLegTables(local, backup, table);
  return { rate, cpu: cpuPerRow, ...lag };
}

/** Entry point for the benchmark runner. */
export async function run(args: string[]): Promise<void> {
  const local = process.env.PG_LOCAL_URL;
  const backup = process.env.PG_BACKUP_URL;
  if (!local || !backup)
    throw new Error('PG_LOCAL_URL / PG_BACKUP_URL are not set: run `pnpm services up pg-local pg-backup`');
  const options = parseArgs(args);
  for (const url of [local, backup]) {
    const removed = await dropPostgresLeftovers(url);
    if (removed !== undefined) console.log(removed);
  }
  console.log(
    `PostgreSQL → PostgreSQL, ${options.rows} rows for throughput, ${options.rate} rows/s for ${options.seconds} s for lag`,
  );
  const servers = { local: await serverProcess(local), backup: await serverProcess(backup) };
  const native = await nativeLeg(local, backup, servers, options);
  const ours = await workerSyncLeg(local, backup, servers, options);
  const engine = await engineLeg(local, backup, servers, options);
  const legs = [
    ['native logical replication', native],
    ['worker-sync (source → codec → sink)', ours],
    ['worker-sync through SyncEngine', engine],
  ] as const;
  const fmt = (n: number) => n.toFixed(n < 10 ? 2 : 0);
  console.log('| path | rows/s | lag p50 ms | lag p99 ms |');
  console.log('| --- | --- | --- | --- |');
  for (const [name, leg] of legs) console.log(`| ${name} | ${fmt(leg.rate)} | ${fmt(leg.p50)} | ${fmt(leg.p99)} |`);
  console.log(
    `throughput ratio worker-sync / native: ${(ours.rate / native.rate).toFixed(2)} (adapters), ${(engine.rate / native.rate).toFixed(2)} (engine)`,
  );
  printCpu(legs);
}

/**
 * CPU per row of each process during the throughput runs, and the rate that much CPU allows on this machine's cores
 * (cores ÷ CPU per row): native replication works inside the two servers, worker-sync in this process and in the
 * servers, and all of them share the same cores.
 */
function printCpu(legs: readonly (readonly [string, LegResult])[]): void {
  const cores = availableParallelism();
  const us = (n: number | undefined) => (n === undefined ? 'n/a' : n.toFixed(1));
  console.log(`CPU µs per row during the throughput run (${cores} cores):`);
  console.log('| path | pg-local | pg-backup | this process | total | cores ÷ total, rows/s |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, leg] of legs) {
    const { local, backup, workerSync } = leg.cpu;
    const total = local === undefined || backup === undefined ? undefined : local + backup + workerSync;
    const ceiling = total === undefined ? 'n/a' : ((cores * 1_000_000) / total).toFixed(0);
    console.log(`| ${name} | ${us(local)} | ${us(backup)} | ${us(workerSync)} | ${us(total)} | ${ceiling} |`);
  }
}
