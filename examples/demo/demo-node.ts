import { createHash } from 'node:crypto';
import {
  type ApplyDecider,
  type ApplyOutcome,
  type ChangeBatch,
  type ChangeSink,
  type ConflictResolver,
  canonicalEncodeValue,
  type InProcessTransport,
  MemoryCheckpointStore,
  MemoryDatabase,
  MemoryDeadLetterStore,
  MemorySink,
  MemorySource,
  type NodeId,
  type RowKey,
  type SourcePosition,
  type StoredRow,
  SyncEngine,
  type TableRef,
} from '@worker-sync/core';

/** The demo's tables. */
export const PRODUCTS: TableRef = { namespace: 'shop', name: 'products' };
export const ORDERS: TableRef = { namespace: 'shop', name: 'orders' };

/** One node of the demo: a database, its engine, and the commit → apply latencies its sink saw. */
export interface DemoNode {
  readonly id: NodeId;
  readonly db: MemoryDatabase;
  readonly engine: SyncEngine;
  readonly source: MemorySource;
  readonly deadLetters: MemoryDeadLetterStore;
  readonly latencies: number[];
}

/** Builds a node over a fresh in-memory database with the demo tables. */
export function demoNode(id: NodeId, transport: InProcessTransport, resolver: ConflictResolver): DemoNode {
  const db = new MemoryDatabase(id);
  db.createTable(PRODUCTS, { key: ['id'], columns: { id: 'int64', name: 'text', price: 'decimal', stock: 'int64' } });
  db.createTable(ORDERS, { key: ['id'], columns: { id: 'uuid', product: 'int64', qty: 'int64', placed: 'timestamp' } });
  const source = new MemorySource({ id: 'db', database: db });
  const latencies: number[] = [];
  const sink = new TimedSink(new MemorySink({ id: 'db', database: db }), latencies);
  const deadLetters = new MemoryDeadLetterStore();
  const engine = new SyncEngine({
    node: id,
    sources: [source],
    sinks: [sink],
    transport,
    resolver,
    checkpoints: new MemoryCheckpointStore(),
    deadLetters,
    batching: { maxEvents: 200, maxDelayMs: 2 },
  });
  return { id, db, engine, source, deadLetters, latencies };
}

/** SHA-256 over a table's rows in canonical encoding, ordered by key: equal digests mean equal tables. */
export function tableDigest(db: MemoryDatabase, table: TableRef): string {
  const hash = createHash('sha256');
  for (const row of db.readAll(table)) hash.update(canonicalEncodeValue({ kind: 'document', fields: row }));
  return hash.digest('hex');
}

/** A sink that records, per applied change, the time from its commit at the origin to its apply here. */
class TimedSink implements ChangeSink {
  readonly id: string;

  constructor(
    private readonly inner: ChangeSink,
    private readonly latencies: number[],
  ) {
    this.id = inner.id;
  }

  async apply(batch: ChangeBatch, decide: ApplyDecider): Promise<ApplyOutcome> {
    const outcome = await this.inner.apply(batch, decide);
    const now = Date.now();
    if (!outcome.alreadyApplied) {
      for (const event of batch.events) this.latencies.push(now - Number(event.tx.commitTimeMicros / 1000n));
    }
    return outcome;
  }

  lastApplied(origin: NodeId, sourceId: string): Promise<SourcePosition | undefined> {
    return this.inner.lastApplied(origin, sourceId);
  }

  read(table: TableRef, keys: readonly RowKey[]): Promise<(StoredRow | undefined)[]> {
    return this.inner.read(table, keys);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
