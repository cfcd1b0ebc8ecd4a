/**
 * Engine throughput through the in-memory adapter and the in-process transport: node A's application writes rows
 * in small transactions, A's engine captures and publishes them, B's engine applies them. Prints events/s and
 * commit → apply latency p50/p99, and the same rows applied straight into a MemorySink as the baseline (the cost of
 * the database work alone), with the ratio.
 *
 * `pnpm bench engine -- --events 20000 --tx 10`
 */
import {
  type ApplyDecider,
  type ChangeBatch,
  type ChangeSink,
  InProcessTransport,
  lastWriterWins,
  MemoryCheckpointStore,
  MemoryDatabase,
  MemoryDeadLetterStore,
  MemorySink,
  MemorySource,
  SyncEngine,
  type TableRef,
} from '@worker-sync/core';

const TABLE: TableRef = { namespace: 'bench', name: 'rows' };

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
}

function database(name: string): MemoryDatabase {
  const db = new MemoryDatabase(name);
  db.createTable(TABLE, { key: ['id'], columns: { id: 'int64', name: 'text', qty: 'int64' } });
  return db;
}

/** Wraps a sink to record when each change landed, relative to its commit at the origin. */
function timed(sink: ChangeSink, latencies: number[], onApplied: (n: number) => void): ChangeSink {
  return {
    id: sink.id,
    async apply(batch: ChangeBatch, decide: ApplyDecider) {
      const outcome = await sink.apply(batch, decide);
      const now = performance.timeOrigin + performance.now();
      if (!outcome.alreadyApplied) {
        for (const e of batch.events) latencies.push(now - Number(e.tx.commitTimeMicros) / 1000);
        onApplied(outcome.applied);
      }
      return outcome;
    },
    lastApplied: (o, s) => sink.lastApplied(o, s),
    read: (t, k) => sink.read(t, k),
    close: () => sink.close(),
  };
}

async function engineRun(events: number, perTx: number): Promise<{ seconds: number; latencies: number[] }> {
  const transport = new InProcessTransport();
  const now = () => performance.timeOrigin + performance.now();
  const a = new MemoryDatabase('a', { now });
  a.createTable(TABLE, { key: ['id'], columns: { id: 'int64', name: 'text', qty: 'int64' } });
  const b = database('b');
  const latencies: number[] = [];
  let applied = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const common = { transport, resolver: lastWriterWins, batching: { maxEvents: 1000, maxDelayMs: 0 } };
  const engineA = new SyncEngine({
    ...common,
    node: 'a',
    sources: [new MemorySource({ id: 'db', database: a, maxBatchTransactions: 100 })],
    sinks: [new MemorySink({ id: 'db', database: a })],
    checkpoints: new MemoryCheckpointStore(),
    deadLetters: new MemoryDeadLetterStore(),
  });
  const sinkB = timed(new MemorySink({ id: 'db', database: b }), latencies, (n) => {
    applied += n;
    if (applied >= events) done();
  });
  const engineB = new SyncEngine({
    ...common,
    node: 'b',
    sources: [new MemorySource({ id: 'db', database: b })],
    sinks: [sinkB],
    checkpoints: new MemoryCheckpointStore(),
    deadLetters: new MemoryDeadLetterStore(),
  });
  await engineA.start();
  await engineB.start();
  const started = performance.now();
  for (let i = 0; i < events; i += perTx) {
    a.transaction((tx) => {
      for (let j = i; j < Math.min(events, i + perTx); j++)
        tx.write(TABLE, { id: BigInt(j), name: `row ${j}`, qty: BigInt(j % 97) });
    });
    // Yield now and then so the engines run while the application writes, as they would in a real process.
    if ((i / perTx) % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await engineA.stop();
  await engineB.stop();
  return { seconds, latencies };
}

async function baselineRun(events: number, perTx: number): Promise<number> {
  const sink = new MemorySink({ id: 'db', database: database('base') });
  const version = { vv: { a: 1 }, hlc: 1n, writer: 'a', deleted: false };
  const decide: ApplyDecider = (e) => ({ kind: 'write', row: e.after ?? null, version: e.version });
  const started = performance.now();
  for (let i = 0; i < events; i += perTx * 10) {
    const position = String(i + 1).padStart(16, '0');
    const batchEvents = [];
    for (let j = i; j < Math.min(events, i + perTx * 10); j++) {
      batchEvents.push({
        op: 'insert' as const,
        table: TABLE,
        key: [['id', BigInt(j)]] as const,
        after: { id: BigInt(j), name: `row ${j}`, qty: BigInt(j % 97) },
        position,
        tx: { id: 't', commitTimeMicros: 0n, index: j - i, last: false },
        origin: 'a',
        sourceId: 's',
        version,
      });
    }
    await sink.apply({ id: position, origin: 'a', sourceId: 's', position, events: batchEvents }, decide);
  }
  return (performance.now() - started) / 1000;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs the engine benchmark (a few seconds). */
export async function run(args: string[]): Promise<void> {
  const events = option(args, 'events', 20_000);
  const perTx = option(args, 'tx', 10);
  await engineRun(2_000, perTx); // warm-up
  const { seconds, latencies } = await engineRun(events, perTx);
  const base = await baselineRun(events, perTx);
  latencies.sort((x, y) => x - y);
  const rate = events / seconds;
  console.log(
    `engine A → B: ${events} changes in ${seconds.toFixed(2)} s = ${Math.round(rate)} changes/s (${perTx} per transaction)`,
  );
  console.log(
    `commit → apply latency: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
  console.log(
    `baseline MemorySink.apply alone: ${Math.round(events / base)} changes/s; engine/baseline = ${(rate / (events / base)).toFixed(2)}`,
  );
}
