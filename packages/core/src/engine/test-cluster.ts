import { HybridLogicalClock } from '../clock/hybrid-logical-clock.js';
import type { ConflictResolver } from '../interfaces/conflict-resolver.js';
import { MemoryDatabase } from '../memory/memory-database.js';
import { MemorySink } from '../memory/memory-sink.js';
import { MemorySource } from '../memory/memory-source.js';
import type { RowKey, RowVersion, TableRef } from '../model/change-event.js';
import { rowIdentity } from '../model/row-identity.js';
import { ManualQueue, manualResolver } from '../resolve/manual-queue.js';
import { MemoryCheckpointStore } from '../store/memory-checkpoint-store.js';
import { MemoryDeadLetterStore } from '../store/memory-dead-letter-store.js';
import { InProcessTransport, type TransportFaults } from '../transport/in-process-transport.js';
import { LogView } from './log-view.js';
import { SyncEngine } from './sync-engine.js';

/** The table every cluster node has: `id int64` key, `name text`, `qty int64`. */
export const CLUSTER_TABLE: TableRef = { namespace: 'app', name: 'items' };

/** One node of a {@link TestCluster}. */
export interface ClusterNode {
  readonly id: string;
  readonly db: MemoryDatabase;
  readonly source: MemorySource;
  readonly sink: MemorySink;
  readonly checkpoints: MemoryCheckpointStore;
  readonly deadLetters: MemoryDeadLetterStore;
  engine: SyncEngine;
}

/**
 * N in-memory nodes on one manual in-process transport, with paced sources and one deterministic wall clock, so a
 * test decides every interleaving (which source sees how much of its log, which delivery happens next) and a
 * failure replays from its seed. Used by the engine's unit and property tests.
 */
export class TestCluster {
  readonly nodes: ClusterNode[];
  readonly transport: InProcessTransport;
  /** Each node's manual queue, when the cluster was built with a resolver named 'manual'. */
  readonly queues = new Map<string, ManualQueue | undefined>();
  #tick = 1_700_000_000_000;

  constructor(
    count: number,
    private readonly resolver: ConflictResolver,
    faults: TransportFaults = {},
    /** Rows each node's log view keeps in memory (tiny ones make every judgement read versions back). */
    private readonly viewCapacity?: number,
  ) {
    this.transport = new InProcessTransport({ manual: true, partitions: 3, faults });
    this.nodes = Array.from({ length: count }, (_, i) => this.#node(`n${i}`));
  }

  /** Advances the shared wall clock by `ms`. */
  advance(ms = 1): void {
    this.#tick += ms;
  }

  /** Starts every engine after its database's current end (as a deployment would after an initial copy). */
  async start(): Promise<void> {
    for (const node of this.nodes) {
      if ((await node.checkpoints.position(node.source.id)) === undefined) {
        await node.checkpoints.commit(node.source.id, node.db.endPosition, new Map());
      }
      await node.engine.start();
    }
  }

  /** Stops a node's engine and builds a new one over the same database and stores (a crash and restart). */
  async restart(node: ClusterNode, drain: boolean): Promise<void> {
    await node.engine.stop({ drain });
    node.engine = this.#engine(node.id, node);
    await node.engine.start();
  }

  /** Lets every engine run until each has checkpointed everything its source may see. */
  async settle(): Promise<void> {
    for (let round = 0; round < 10_000; round++) {
      let idle = true;
      for (const node of this.nodes) {
        const [status] = (await node.engine.status()).sources;
        const visible = node.source.visibleEnd;
        if (visible > '0000000000000000' && (status?.position ?? '') < visible) idle = false;
      }
      if (idle) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error('the cluster did not settle');
  }

  /** Releases every log, delivers everything, until nothing moves. */
  async drain(random: () => number): Promise<void> {
    for (let round = 0; round < 1_000; round++) {
      for (const node of this.nodes) node.source.release();
      await this.settle();
      let delivered = false;
      while (await this.transport.step(random)) {
        delivered = true;
        await this.settle();
      }
      const pending = this.nodes.some((n) => n.source.visibleEnd < n.db.endPosition);
      if (!delivered && !pending) return;
    }
    throw new Error('the cluster did not drain');
  }

  /** Each node's rows and log-view versions, keyed by row id, for comparison. */
  /**
   * `tombstones: false` leaves deleted rows' versions out (each is `"deleted"`): a receiver keeps the tombstone of
   * a row already deleted when a truncate arrives, where the truncating node has the truncate's.
   */
  async snapshot(
    node: ClusterNode,
    columnStamps = true,
    tombstones = true,
  ): Promise<{ rows: string; versions: string }> {
    const rows = node.db.readAll(CLUSTER_TABLE);
    const ids = rows.map((row) => row.id);
    const all = new Set<string>();
    for (const n of this.nodes)
      for (const entry of n.db.entriesAfter(''))
        for (const c of entry.changes) if (c.op !== 'truncate') all.add(JSON.stringify(c.key, replacer));
    const keys = [...all].sort().map((k) => JSON.parse(k, reviver));
    // Read as the engine reads them: stored versions with the table's last truncate applied.
    const view = new LogView(node.checkpoints, node.source.id);
    await view.load(keys.map((key) => rowId(key)));
    const versions = new Map(keys.map((key) => [rowId(key), view.get(rowId(key))?.version] as const));
    return {
      rows: JSON.stringify(rows, replacer) + JSON.stringify(ids, replacer),
      versions: JSON.stringify(
        keys.map((key) => {
          const version = versions.get(rowId(key));
          return version?.deleted === true && !tombstones ? 'deleted' : canonicalVersion(version, columnStamps);
        }),
        replacer,
      ),
    };
  }

  #node(id: string): ClusterNode {
    const db = new MemoryDatabase(id, { now: () => this.#tick });
    db.createTable(CLUSTER_TABLE, { key: ['id'], columns: { id: 'int64', name: 'text', qty: 'int64' } });
    const node = {
      id,
      db,
      source: new MemorySource({ id: 'db', database: db, paced: true }),
      sink: new MemorySink({ id: 'db', database: db }),
      checkpoints: new MemoryCheckpointStore(),
      deadLetters: new MemoryDeadLetterStore(),
    } as ClusterNode;
    node.engine = this.#engine(id, node);
    return node;
  }

  #engine(id: string, node: Omit<ClusterNode, 'engine'>): SyncEngine {
    const clock = new HybridLogicalClock({ now: () => this.#tick });
    // The 'manual' resolver name gives each node its own queue, as each node's operators would have.
    const queue = this.resolver.name === 'manual' ? new ManualQueue({ node: id, clock }) : undefined;
    this.queues.set(id, queue);
    return new SyncEngine({
      node: id,
      sources: [node.source],
      sinks: [node.sink],
      transport: this.transport,
      resolver: queue === undefined ? this.resolver : manualResolver(queue),
      ...(queue === undefined ? {} : { manualQueue: queue }),
      checkpoints: node.checkpoints,
      deadLetters: node.deadLetters,
      clock,
      retry: { maxAttempts: 1 },
      ...(this.viewCapacity === undefined ? {} : { viewCapacity: this.viewCapacity }),
    });
  }
}

function rowId(key: RowKey): string {
  return rowIdentity(CLUSTER_TABLE, key);
}

function canonicalVersion(version: RowVersion | undefined, columnStamps: boolean): unknown {
  if (version === undefined) return null;
  const columns =
    version.columns === undefined || !columnStamps
      ? null
      : Object.entries(version.columns).sort(([a], [b]) => (a < b ? -1 : 1));
  return { vv: version.vv, hlc: version.hlc, writer: version.writer, deleted: version.deleted, columns };
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

function reviver(_key: string, value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value;
}
