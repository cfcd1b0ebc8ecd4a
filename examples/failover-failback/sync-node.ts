import { PostgresSink, PostgresSource } from '@worker-sync/adapter-postgres';
import {
  type AuditSink,
  type ConflictResolver,
  type InProcessTransport,
  MemoryCheckpointStore,
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

/** What one node is built from. */
export interface SyncNodeOptions {
  /** Node id; also names the source and sink (`name` with `-` as `_`), so the slot is `worker_sync_<that>`. */
  readonly name: string;
  readonly url: string;
  readonly tables: readonly string[];
  readonly transport: InProcessTransport;
  readonly resolver: ConflictResolver;
  /** Receives every change the engine captures from its server or applies to it. */
  readonly audit: AuditSink;
}

/** The source and sink id of a node, which also names its replication slot and publication. */
export function sourceIdOf(name: string): string {
  return name.replaceAll('-', '_');
}

/** Builds (but does not start) the engine serving one server. */
export function syncNode(options: SyncNodeOptions): SyncNode {
  const id = sourceIdOf(options.name);
  const source = new PostgresSource({ id, url: options.url, tables: [...options.tables], leaseRetryMillis: 100 });
  const sink = new PostgresSink({ id, url: options.url });
  const deadLetters = new MemoryDeadLetterStore();
  const engine = new SyncEngine({
    node: options.name,
    sources: [source],
    sinks: [sink],
    transport: options.transport,
    resolver: options.resolver,
    checkpoints: new MemoryCheckpointStore(),
    deadLetters,
    batching: { maxEvents: 500, maxDelayMs: 5 },
    // A server that is down for seconds: retry its sink soon after it answers again rather than after the
    // default 10 s of an open breaker.
    breaker: { failureThreshold: 5, resetAfterMs: 1000 },
    audit: options.audit,
  });
  return { name: options.name, engine, source, sink, deadLetters };
}
