/**
 * `pnpm bench mysql`: MariaDB capture and apply through worker-sync against the best bulk load of the same rows.
 *
 * - apply: MySqlSink.apply (one transaction per batch, locked version read, multi-row upsert, shadow versions and
 *   position co-written) against plain multi-row INSERT batches of the same rows, same batch size: rows/s and ratio,
 *   and this process's CPU per row for each (building the batches included).
 * - capture: rows committed at a target rate in small transactions while MySqlSource streams them: rows/s and the
 *   lag from commit to the batch being handed out, p50/p99.
 * - MariaDB → PostgreSQL: rows committed in MariaDB at the target rate, captured by MySqlSource and applied by
 *   PostgresSink batch by batch (stamped directly, without the engine), against plain multi-row INSERT batches of the
 *   same rows into PostgreSQL: rows/s, ratio, and lag from the MariaDB commit to the PostgreSQL commit, p50/p99,
 *   split into the source's part (commit → batch handed out) and the sink's (apply time per batch, batch sizes).
 * - PostgreSQL → MariaDB: the same the other way, PostgresSource → MySqlSink, against the MariaDB bulk INSERT.
 * - Both directions through SyncEngine (a node per database, in-process transport, last-writer-wins): rows committed
 *   at the target rate on one side, arrival on the other side polled every few milliseconds: rows/s, ratio to the
 *   target's bulk INSERT, and lag commit → visible on the other side, p50/p99.
 *
 * Bounded: `--rows N` (default 20000), `--rate R` rows/s for capture (default 10000). Loopback only.
 */

import { MySqlSink, MySqlSource } from '@worker-sync/adapter-mysql';
import { PostgresSink, PostgresSource } from '@worker-sync/adapter-postgres';
import {
  type CapturedBatch,
  type ChangeBatch,
  type ChangeEvent,
  InProcessTransport,
  MemoryCheckpointStore,
  MemoryDeadLetterStore,
  SyncEngine,
} from '@worker-sync/core';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { dropMariaDbLeftovers, dropPostgresLeftovers } from './leftovers.js';
import { readPidFile, startServerCpu } from './server-cpu.js';

interface Options {
  readonly rows: number;
  readonly rate: number;
  readonly batch: number;
}

function parseArgs(args: string[]): Options {
  const value = (name: string, fallback: number): number => {
    const index = args.indexOf(`--${name}`);
    return index === -1 ? fallback : Number(args[index + 1]);
  };
  return { rows: Math.min(value('rows', 20_000), 200_000), rate: value('rate', 10_000), batch: value('batch', 500) };
}

/** How long a leg waits for the next batch of a stream before it gives up (a stuck stream must not hold the bench). */
const STREAM_STALL_MS = 60_000;

/** `next` of a stream, or a rejection when nothing arrives within {@link STREAM_STALL_MS}. */
async function within<T>(next: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the stream handed out nothing for ${STREAM_STALL_MS / 1000} s`)),
      STREAM_STALL_MS,
    );
  });
  try {
    return await Promise.race([next, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

/** This process's CPU time (user and system) per row, in microseconds. */
function cpuMicrosPerRow(used: NodeJS.CpuUsage, rows: number): number {
  return (used.user + used.system) / rows;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The row {@link warmUp} writes (id 0; the timed rows start at 1), as the writers' parameter list. */
const WARM_UP_ROW = rowsOf(0, 1).map((row) => [row.id.toString(), row.name, row.qty.toString(), row.price]);

/** Writes every column the change carries: the benchmark stamps versions itself and has no conflicts to judge. */
const writeAll = (incoming: ChangeEvent) =>
  ({ kind: 'write', row: incoming.after ?? null, version: incoming.version }) as const;

function rowsOf(from: number, count: number): { id: bigint; name: string; qty: bigint; price: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    id: BigInt(from + i),
    name: `item-${from + i}`,
    qty: BigInt((from + i) % 97),
    price: `${(from + i) % 1000}.${String((from + i) % 100).padStart(2, '0')}`,
  }));
}

/**
 * Drops a leg's tables on both servers with the shadow rows the sinks wrote for them, so every run starts from the
 * same metadata however many runs came before (the shadow tables otherwise keep every row any run applied).
 */
async function dropLegTables(db: mysql.Connection, target: pg.Client, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.query('DELETE FROM worker_sync_row_versions WHERE table_name = ?', [table]).catch(() => undefined);
    await target.query(`DROP TABLE IF EXISTS public.${table}`);
    await target
      .query('DELETE FROM worker_sync.row_versions WHERE table_name = $1', [`public.${table}`])
      .catch(() => undefined);
  }
}

const DDL = '(id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL, price DECIMAL(10,2) NOT NULL)';

async function applyLeg(url: string, options: Options): Promise<number> {
  const db = await mysql.createConnection(url);
  const suffix = Date.now().toString(36);
  const bulk = `bench_bulk_${suffix}`;
  const synced = `bench_sink_${suffix}`;
  await db.query(`CREATE TABLE ${bulk} ${DDL}`);
  await db.query(`CREATE TABLE ${synced} ${DDL}`);
  const [pidRows] = await db.query<mysql.RowDataPacket[]>('SELECT @@pid_file AS path');
  const server = readPidFile(String(pidRows[0]?.path));
  try {
    let started = performance.now();
    let cpu = process.cpuUsage();
    let serverCpu = startServerCpu(server);
    for (let from = 1; from <= options.rows; from += options.batch) {
      const rows = rowsOf(from, Math.min(options.batch, options.rows - from + 1));
      await db.query(`INSERT INTO ${bulk} (id, name, qty, price) VALUES ?`, [
        rows.map((row) => [row.id.toString(), row.name, row.qty.toString(), row.price]),
      ]);
    }
    const bulkRate = options.rows / ((performance.now() - started) / 1000);
    const bulkCpu = cpuMicrosPerRow(process.cpuUsage(cpu), options.rows);
    const bulkServerCpu = serverCpu.stop();

    const sink = new MySqlSink({ id: 'bench', url, statementRows: options.batch });
    await sink.init();
    const origin = `bench-${suffix}`;
    started = performance.now();
    cpu = process.cpuUsage();
    serverCpu = startServerCpu(server);
    for (let from = 1; from <= options.rows; from += options.batch) {
      const rows = rowsOf(from, Math.min(options.batch, options.rows - from + 1));
      const position = String(from).padStart(12, '0');
      const batch: ChangeBatch = {
        id: `${origin}/bench/${position}/0`,
        origin,
        sourceId: 'bench',
        position,
        events: rows.map((row, index) => ({
          op: 'insert',
          table: { namespace: 'bench', name: synced },
          key: [['id', row.id]],
          after: { id: row.id, name: row.name, qty: row.qty, price: { kind: 'decimal', value: row.price } },
          position,
          tx: { id: position, commitTimeMicros: 0n, index, last: index === rows.length - 1 },
          origin,
          sourceId: 'bench',
          version: { vv: { [origin]: 1 }, hlc: 1n, writer: origin, deleted: false },
        })),
      };
      await sink.apply(batch, writeAll);
    }
    const sinkRate = options.rows / ((performance.now() - started) / 1000);
    const sinkCpu = cpuMicrosPerRow(process.cpuUsage(cpu), options.rows);
    const sinkServerCpu = serverCpu.stop();
    await sink.close();
    console.log(`apply  ${options.rows} rows, batches of ${options.batch}`);
    console.log(`  bulk multi-row INSERT : ${bulkRate.toFixed(0)} rows/s`);
    console.log(`  MySqlSink.apply       : ${sinkRate.toFixed(0)} rows/s`);
    console.log(`  ratio                 : ${(sinkRate / bulkRate).toFixed(2)}`);
    // The server is shared with other work, so rates swing between runs; this process's own CPU swings much less.
    console.log(`  client CPU per row    : bulk ${bulkCpu.toFixed(1)} µs, MySqlSink.apply ${sinkCpu.toFixed(1)} µs`);
    // Read from /proc: what the server itself spends, the part no client-side work can remove.
    const perRow = (micros: number | undefined) =>
      micros === undefined ? 'n/a' : `${(micros / options.rows).toFixed(1)} µs`;
    console.log(`  server CPU per row    : bulk ${perRow(bulkServerCpu)}, MySqlSink.apply ${perRow(sinkServerCpu)}`);
    return bulkRate;
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${bulk}, ${synced}`);
    await db.query('DELETE FROM worker_sync_row_versions WHERE table_name = ?', [synced]);
    await db.end();
  }
}

async function captureLeg(url: string, options: Options): Promise<void> {
  const db = await mysql.createConnection(url);
  const table = `bench_src_${Date.now().toString(36)}`;
  await db.query(`CREATE TABLE ${table} ${DDL}`);
  const source = new MySqlSource({ id: `bench-${table}`, url, tables: [table], heartbeatSeconds: 1 });
  const iterator = source.stream({})[Symbol.asyncIterator]();
  await within(iterator.next());
  await warmUp(
    () => db.query(`INSERT INTO ${table} (id, name, qty, price) VALUES ?`, [WARM_UP_ROW]),
    () => iterator.next(),
    async () => undefined,
  );
  const committedAt = new Map<bigint, number>();
  const perTx = 100;
  const writer = (async () => {
    const started = performance.now();
    for (let from = 1; from <= options.rows; from += perTx) {
      const due = started + ((from - 1) / options.rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const rows = rowsOf(from, Math.min(perTx, options.rows - from + 1));
      await db.query(`INSERT INTO ${table} (id, name, qty, price) VALUES ?`, [
        rows.map((row) => [row.id.toString(), row.name, row.qty.toString(), row.price]),
      ]);
      const now = performance.now();
      for (const row of rows) committedAt.set(row.id, now);
    }
  })();
  const lags: number[] = [];
  let seen = 0;
  const started = performance.now();
  while (seen < options.rows) {
    const next = await within(iterator.next());
    if (next.done) break;
    const now = performance.now();
    for (const change of next.value.changes) {
      const committed = committedAt.get(change.key[0]![1] as bigint);
      if (committed !== undefined) lags.push(Math.max(0, now - committed));
      seen += 1;
    }
  }
  const elapsed = (performance.now() - started) / 1000;
  await writer;
  await iterator.return?.();
  await source.close();
  await db.query(`DROP TABLE IF EXISTS ${table}`);
  await db.end();
  lags.sort((a, b) => a - b);
  console.log(`capture ${seen} rows offered at ${options.rate} rows/s in transactions of ${perTx}`);
  console.log(`  MySqlSource           : ${(seen / elapsed).toFixed(0)} rows/s`);
  console.log(
    `  lag commit → batch    : p50 ${percentile(lags, 50).toFixed(1)} ms, p99 ${percentile(lags, 99).toFixed(1)} ms`,
  );
}

/**
 * Writes one row (id 0) and carries it through before a leg's timed load starts, so its lag figures are of a running
 * stream and not of the stream's start (connecting, the first table lookups, the sink's first catalog read).
 */
async function warmUp(
  write: () => Promise<unknown>,
  next: () => Promise<IteratorResult<CapturedBatch>>,
  carry: (batch: CapturedBatch) => Promise<void>,
): Promise<void> {
  await write();
  for (;;) {
    const result = await within(next());
    if (result.done) throw new Error('the stream ended while warming up');
    await carry(result.value);
    if (result.value.changes.some((change) => change.key[0]![1] === 0n)) return;
  }
}

/**
 * Where an adapter leg's lag goes: commit → batch handed out by the source (per row), and the sink's apply of each
 * batch (per batch, with the batch sizes), beside the end-to-end lag the leg prints.
 */
class LagSplit {
  private readonly handedOut: number[] = [];
  private readonly applyMillis: number[] = [];
  private readonly sizes: number[] = [];

  /** Call when the source hands out a batch, before it is applied. */
  handed(committed: readonly (number | undefined)[], at: number): void {
    for (const time of committed) if (time !== undefined) this.handedOut.push(Math.max(0, at - time));
    this.sizes.push(committed.length);
  }

  /** Call with the time the sink took to apply the batch last handed out. */
  applied(millis: number): void {
    this.applyMillis.push(millis);
  }

  print(): void {
    for (const list of [this.handedOut, this.applyMillis, this.sizes]) list.sort((a, b) => a - b);
    const p = (list: number[], q: number) => percentile(list, q).toFixed(1);
    console.log(`  lag commit → handed out: p50 ${p(this.handedOut, 50)} ms, p99 ${p(this.handedOut, 99)} ms (source)`);
    console.log(
      `  apply per batch       : p50 ${p(this.applyMillis, 50)} ms, p99 ${p(this.applyMillis, 99)} ms; batch of p50 ${p(this.sizes, 50)}, p99 ${p(this.sizes, 99)} rows`,
    );
  }
}

/** A captured batch stamped as its origin would stamp it, for driving a sink without the engine. */
function stamp(captured: CapturedBatch, origin: string, sourceId: string, table: string): ChangeBatch {
  return {
    id: `${origin}/${sourceId}/${captured.resumeAfter}`,
    origin,
    sourceId,
    position: captured.resumeAfter,
    events: captured.changes.map((change) => ({
      ...change,
      table: { namespace: 'public', name: table },
      origin,
      sourceId,
      version: { vv: { [origin]: 1 }, hlc: 1n, writer: origin, deleted: change.op === 'delete' },
    })),
  };
}

async function mariaToPostgresLeg(url: string, pgUrl: string, options: Options): Promise<number> {
  const db = await mysql.createConnection(url);
  const target = new pg.Client({ connectionString: pgUrl });
  await target.connect();
  const suffix = Date.now().toString(36);
  const table = `bench_m2p_${suffix}`;
  const bulk = `bench_m2p_bulk_${suffix}`;
  const pgDdl = '(id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL, price NUMERIC(10,2) NOT NULL)';
  await db.query(`CREATE TABLE ${table} ${DDL}`);
  await target.query(`CREATE TABLE public.${table} ${pgDdl}`);
  await target.query(`CREATE TABLE public.${bulk} ${pgDdl}`);
  let writer: Promise<void> = Promise.resolve();
  try {
    let started = performance.now();
    for (let from = 1; from <= options.rows; from += options.batch) {
      const rows = rowsOf(from, Math.min(options.batch, options.rows - from + 1));
      const params = rows.flatMap((row) => [row.id.toString(), row.name, row.qty.toString(), row.price]);
      const tuples = rows.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`).join(', ');
      await target.query(`INSERT INTO public.${bulk} (id, name, qty, price) VALUES ${tuples}`, params);
    }
    const bulkRate = options.rows / ((performance.now() - started) / 1000);

    const source = new MySqlSource({ id: `bench-${table}`, url, tables: [table], heartbeatSeconds: 1 });
    const sink = new PostgresSink({ id: 'bench', url: pgUrl, schema: 'public' });
    await sink.init();
    const iterator = source.stream({})[Symbol.asyncIterator]();
    await within(iterator.next());
    await warmUp(
      () => db.query(`INSERT INTO ${table} (id, name, qty, price) VALUES ?`, [WARM_UP_ROW]),
      () => iterator.next(),
      async (batch) => {
        if (batch.changes.length > 0) await sink.apply(stamp(batch, 'maria', source.id, table), writeAll);
      },
    );
    const committedAt = new Map<bigint, number>();
    const perTx = 100;
    started = performance.now();
    writer = (async () => {
      for (let from = 1; from <= options.rows; from += perTx) {
        const due = started + ((from - 1) / options.rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const rows = rowsOf(from, Math.min(perTx, options.rows - from + 1));
        await db.query(`INSERT INTO ${table} (id, name, qty, price) VALUES ?`, [
          rows.map((row) => [row.id.toString(), row.name, row.qty.toString(), row.price]),
        ]);
        const now = performance.now();
        for (const row of rows) committedAt.set(row.id, now);
      }
    })();
    const lags: number[] = [];
    const split = new LagSplit();
    let applied = 0;
    while (applied < options.rows) {
      const next = await within(iterator.next());
      if (next.done) break;
      if (next.value.changes.length === 0) continue;
      const handedAt = performance.now();
      split.handed(
        next.value.changes.map((change) => committedAt.get(change.key[0]![1] as bigint)),
        handedAt,
      );
      await sink.apply(stamp(next.value, 'maria', source.id, table), writeAll);
      const now = performance.now();
      split.applied(now - handedAt);
      for (const change of next.value.changes) {
        const committed = committedAt.get(change.key[0]![1] as bigint);
        if (committed !== undefined) lags.push(Math.max(0, now - committed));
      }
      applied += next.value.changes.length;
    }
    const rate = applied / ((performance.now() - started) / 1000);
    await writer;
    await iterator.return?.();
    await source.close();
    await sink.close();
    lags.sort((a, b) => a - b);
    console.log(
      `MariaDB → PostgreSQL ${applied} rows offered at ${options.rate} rows/s (MySqlSource → PostgresSink, no engine)`,
    );
    console.log(`  PostgreSQL bulk INSERT: ${bulkRate.toFixed(0)} rows/s`);
    console.log(`  through the adapters  : ${rate.toFixed(0)} rows/s (at most the offered rate)`);
    console.log(`  ratio                 : ${(rate / bulkRate).toFixed(2)}`);
    console.log(
      `  lag commit → applied  : p50 ${percentile(lags, 50).toFixed(1)} ms, p99 ${percentile(lags, 99).toFixed(1)} ms`,
    );
    split.print();
    return bulkRate;
  } finally {
    await writer.catch(() => undefined);
    await dropLegTables(db, target, [table, bulk]);
    await db.end();
    await target.end();
  }
}

async function postgresToMariaLeg(url: string, pgUrl: string, options: Options, bulkRate: number): Promise<void> {
  const db = await mysql.createConnection(url);
  const origin = new pg.Client({ connectionString: pgUrl });
  await origin.connect();
  const table = `bench_p2m_${Date.now().toString(36)}`;
  await origin.query(
    `CREATE TABLE public.${table} (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL, price NUMERIC(10,2) NOT NULL)`,
  );
  await db.query(`CREATE TABLE ${table} ${DDL}`);
  const source = new PostgresSource({
    id: `bench_${table}`,
    url: pgUrl,
    tables: [`public.${table}`],
    lease: false,
  });
  const sink = new MySqlSink({ id: 'bench', url, statementRows: options.batch });
  let writer: Promise<void> = Promise.resolve();
  try {
    await sink.init();
    const iterator = source.stream({})[Symbol.asyncIterator]();
    // The source creates its slot on the first pull; rows are written only once the slot streams.
    let pending: Promise<IteratorResult<CapturedBatch>> | undefined = iterator.next();
    const slot = `worker_sync_bench_${table}`;
    for (let i = 0; i < 300; i++) {
      const found = await origin.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      if (found.rows[0]?.active === true) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await warmUp(
      () => origin.query(`INSERT INTO public.${table} (id, name, qty, price) VALUES ($1, $2, $3, $4)`, WARM_UP_ROW[0]),
      () => {
        const next = pending ?? iterator.next();
        pending = undefined;
        return next;
      },
      async (batch) => {
        if (batch.changes.length > 0) await sink.apply(stamp(batch, 'postgres', source.id, table), writeAll);
        await source.acknowledge(batch.resumeAfter);
      },
    );
    const committedAt = new Map<bigint, number>();
    const perTx = 100;
    const started = performance.now();
    writer = (async () => {
      for (let from = 1; from <= options.rows; from += perTx) {
        const due = started + ((from - 1) / options.rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const rows = rowsOf(from, Math.min(perTx, options.rows - from + 1));
        const params = rows.flatMap((row) => [row.id.toString(), row.name, row.qty.toString(), row.price]);
        const tuples = rows.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`).join(', ');
        await origin.query(`INSERT INTO public.${table} (id, name, qty, price) VALUES ${tuples}`, params);
        const now = performance.now();
        for (const row of rows) committedAt.set(row.id, now);
      }
    })();
    const lags: number[] = [];
    const split = new LagSplit();
    let applied = 0;
    while (applied < options.rows) {
      const next = await within(pending ?? iterator.next());
      pending = undefined;
      if (next.done) break;
      if (next.value.changes.length === 0) continue;
      const handedAt = performance.now();
      split.handed(
        next.value.changes.map((change) => committedAt.get(change.key[0]![1] as bigint)),
        handedAt,
      );
      const batch = stamp(next.value, 'postgres', source.id, table);
      await sink.apply(batch, writeAll);
      split.applied(performance.now() - handedAt);
      await source.acknowledge(next.value.resumeAfter);
      const now = performance.now();
      for (const change of next.value.changes) {
        const committed = committedAt.get(change.key[0]![1] as bigint);
        if (committed !== undefined) lags.push(Math.max(0, now - committed));
      }
      applied += next.value.changes.length;
    }
    const rate = applied / ((performance.now() - started) / 1000);
    await iterator.return?.(undefined);
    lags.sort((a, b) => a - b);
    console.log(
      `PostgreSQL → MariaDB ${applied} rows offered at ${options.rate} rows/s (PostgresSource → MySqlSink, no engine)`,
    );
    console.log(`  MariaDB bulk INSERT   : ${bulkRate.toFixed(0)} rows/s`);
    console.log(`  through the adapters  : ${rate.toFixed(0)} rows/s (at most the offered rate)`);
    console.log(`  ratio                 : ${(rate / bulkRate).toFixed(2)}`);
    console.log(
      `  lag commit → applied  : p50 ${percentile(lags, 50).toFixed(1)} ms, p99 ${percentile(lags, 99).toFixed(1)} ms`,
    );
    split.print();
  } finally {
    await writer.catch(() => undefined);
    await source.close();
    await sink.close();
    await origin.query(
      'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active',
      [`worker_sync_bench_${table}`],
    );
    await origin.query(`DROP PUBLICATION IF EXISTS worker_sync_bench_${table}`);
    await dropLegTables(db, origin, [table]);
    await origin.end();
    await db.end();
  }
}

/** Both nodes running SyncEngine; rows written on `from`, their arrival on the other side polled. */
async function engineLeg(url: string, pgUrl: string, options: Options, from: 'mariadb' | 'postgres', bulkRate: number) {
  const db = await mysql.createConnection(url);
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  const table = `bench_eng_${from}_${Date.now().toString(36)}`;
  await db.query(`CREATE TABLE ${table} ${DDL}`);
  await client.query(
    `CREATE TABLE public.${table} (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL, price NUMERIC(10,2) NOT NULL)`,
  );
  const transport = new InProcessTransport();
  const pgSource = new PostgresSource({ id: `bench_${table}`, url: pgUrl, tables: [`public.${table}`], lease: false });
  const pgSink = new PostgresSink({ id: 'bench', url: pgUrl, schema: 'public' });
  const mariaSource = new MySqlSource({ id: `bench-${table}`, url, tables: [table], heartbeatSeconds: 1 });
  const mariaSink = new MySqlSink({ id: 'bench', url, statementRows: options.batch });
  const common = { transport, resolver: 'last-writer-wins', snapshot: true } as const;
  const engines = [
    new SyncEngine({
      ...common,
      node: 'postgres',
      sources: [pgSource],
      sinks: [pgSink],
      checkpoints: new MemoryCheckpointStore(),
      deadLetters: new MemoryDeadLetterStore(),
    }),
    new SyncEngine({
      ...common,
      node: 'mariadb',
      sources: [mariaSource],
      sinks: [mariaSink],
      checkpoints: new MemoryCheckpointStore(),
      deadLetters: new MemoryDeadLetterStore(),
    }),
  ];
  const write = async (rows: ReturnType<typeof rowsOf>) => {
    if (from === 'mariadb') {
      await db.query(`INSERT INTO ${table} (id, name, qty, price) VALUES ?`, [
        rows.map((row) => [row.id.toString(), row.name, row.qty.toString(), row.price]),
      ]);
    } else {
      const params = rows.flatMap((row) => [row.id.toString(), row.name, row.qty.toString(), row.price]);
      const tuples = rows.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`).join(', ');
      await client.query(`INSERT INTO public.${table} (id, name, qty, price) VALUES ${tuples}`, params);
    }
  };
  // Rows with ids in (after, upTo] on the other side: an index range, so polling costs the server only the rows
  // that arrived since the last poll (a count over the whole table, every few milliseconds, loaded it noticeably).
  const arrived = async (after: number, upTo: number): Promise<number> => {
    if (from === 'mariadb') {
      const result = await client.query(`SELECT COUNT(*) AS n FROM public.${table} WHERE id > $1 AND id <= $2`, [
        after,
        upTo,
      ]);
      return Number(result.rows[0].n);
    }
    const [rows] = await db.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM ${table} WHERE id > ? AND id <= ?`,
      [after, upTo],
    );
    return Number(rows[0]!.n);
  };
  try {
    for (const engine of engines) await engine.start();
    await write(rowsOf(options.rows + 1, 1));
    for (let i = 0; i < 600 && (await arrived(options.rows, options.rows + 1)) < 1; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const committedAt: number[] = [];
    const perTx = 100;
    const started = performance.now();
    const writer = (async () => {
      for (let first = 1; first <= options.rows; first += perTx) {
        const due = started + ((first - 1) / options.rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const rows = rowsOf(first, Math.min(perTx, options.rows - first + 1));
        await write(rows);
        const now = performance.now();
        for (let i = 0; i < rows.length; i++) committedAt.push(now);
      }
    })();
    const lags: number[] = [];
    let seen = 0;
    const deadline = performance.now() + 120_000;
    while (seen < options.rows && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      // Transactions are applied in commit order, so the rows up to `seen` have all arrived.
      const count = seen + (await arrived(seen, options.rows));
      const now = performance.now();
      for (; seen < Math.min(count, committedAt.length); seen++) lags.push(Math.max(0, now - committedAt[seen]!));
    }
    const rate = seen / ((performance.now() - started) / 1000);
    await writer;
    lags.sort((a, b) => a - b);
    const label = from === 'mariadb' ? 'MariaDB → PostgreSQL' : 'PostgreSQL → MariaDB';
    console.log(`${label} through SyncEngine: ${seen} rows offered at ${options.rate} rows/s`);
    console.log(`  target bulk INSERT    : ${bulkRate.toFixed(0)} rows/s`);
    console.log(`  through the engines   : ${rate.toFixed(0)} rows/s (at most the offered rate)`);
    console.log(`  ratio                 : ${(rate / bulkRate).toFixed(2)}`);
    console.log(
      `  lag commit → visible  : p50 ${percentile(lags, 50).toFixed(1)} ms, p99 ${percentile(lags, 99).toFixed(1)} ms`,
    );
  } finally {
    for (const engine of engines) await engine.stop().catch(() => undefined);
    await transport.close();
    for (const closable of [pgSource, pgSink, mariaSource, mariaSink]) await closable.close().catch(() => undefined);
    await client.query(
      'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active',
      [`worker_sync_bench_${table}`],
    );
    await client.query(`DROP PUBLICATION IF EXISTS worker_sync_bench_${table}`);
    await dropLegTables(db, client, [table]);
    await client.end();
    await db.end();
  }
}

/** Runs the MariaDB benchmark legs and prints figures and ratios. */
export async function run(args: string[]): Promise<void> {
  const url = process.env.MYSQL_URL;
  if (!url) throw new Error('MYSQL_URL is not set: run `pnpm services up mariadb` first');
  const options = parseArgs(args);
  const pgUrl = process.env.PG_LOCAL_URL;
  if (!pgUrl) throw new Error('PG_LOCAL_URL is not set: run `pnpm services up postgres` first');
  for (const removed of [await dropMariaDbLeftovers(url), await dropPostgresLeftovers(pgUrl)]) {
    if (removed !== undefined) console.log(removed);
  }
  const mariaBulkRate = await applyLeg(url, options);
  await captureLeg(url, options);
  const pgBulkRate = await mariaToPostgresLeg(url, pgUrl, options);
  await postgresToMariaLeg(url, pgUrl, options, mariaBulkRate);
  await engineLeg(url, pgUrl, options, 'mariadb', pgBulkRate);
  await engineLeg(url, pgUrl, options, 'postgres', mariaBulkRate);
}
