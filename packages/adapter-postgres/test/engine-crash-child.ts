/**
 * A process running two SyncEngines for the engine kill -9 test: one on pg-local, one on pg-backup, joined by an
 * in-process transport, each with its checkpoints in its own database. Killing this process loses the transport's
 * memory; what was checkpointed must therefore already be applied on the other side.
 */
import {
  InProcessTransport,
  lastWriterWins,
  MemoryDeadLetterStore,
  pgExecutor,
  SqlCheckpointStore,
  SyncEngine,
} from '@worker-sync/core';
import pg from 'pg';
import { PostgresSink, PostgresSource } from '../src/index.js';

const table = process.env.CRASH_TABLE!;
const transport = new InProcessTransport();
const nodes = [
  { name: 'k9local', url: process.env.CRASH_LOCAL! },
  { name: 'k9backup', url: process.env.CRASH_BACKUP! },
];

for (const { name, url } of nodes) {
  const engine = new SyncEngine({
    node: name,
    sources: [new PostgresSource({ id: name, url, tables: [table], leaseRetryMillis: 100 })],
    sinks: [new PostgresSink({ id: name, url })],
    transport,
    resolver: lastWriterWins,
    checkpoints: new SqlCheckpointStore(pgExecutor(new pg.Pool({ connectionString: url, max: 2 }))),
    deadLetters: new MemoryDeadLetterStore(),
    batching: { maxEvents: 200, maxDelayMs: 5 },
  });
  await engine.start();
}
// start() initialised the slots, so every write the test makes after this line is captured.
process.stdout.write('started\n');
