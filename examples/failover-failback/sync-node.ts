import { PostgresSink, PostgresSource } from '@worker-sync/adapter-postgres';
import {
  type CheckpointStore,
  type ConflictResolver,
  type InProcessTransport,
  MemoryDeadLetterStore,
  SyncEngine,
} from '@worker-sync/core';

/** One node of the example: a PostgreSQL server with its source, sink and engine. */
export interface SyncNode {
  readonly name: string;
  readonly engine: SyncEngine;
  readonly source: PostgresSource;
  readonly sink: PostgresSink;
  readonly deadLetters: MemoryDeadLetterStore;
}

/** Builds (but does not start) the engine serving one server; the checkpoint store outlives engine restarts. */
export function syncNode(
  name: string,
  url: string,
  tables: string[],
  transport: InProcessTransport,
  resolver: ConflictResolver,
  checkpoints: CheckpointStore,
): SyncNode {
  const source = new PostgresSource({ id: `ff_${name}`, url, tables, leaseRetryMillis: 100 });
  const sink = new PostgresSink({ id: `ff_${name}`, url });
  const deadLetters = new MemoryDeadLetterStore();
  const engine = new SyncEngine({
    node: name,
    sources: [source],
    sinks: [sink],
    transport,
    resolver,
    checkpoints,
    deadLetters,
    batching: { maxEvents: 500, maxDelayMs: 5 },
  });
  return { name, engine, source, sink, deadLetters };
}
