import type { Hlc } from '../clock/hlc-timestamp.js';
import { incrementVersionVector, mergeVersionVectors } from '../clock/version-vector.js';
import { ConflictError } from '../errors.js';
import type { ConflictContext, ConflictResolver, ConflictSide } from '../interfaces/conflict-resolver.js';
import type { NodeId, RowKey, TableRef } from '../model/change-event.js';
import { rowIdentity } from '../model/row-identity.js';
import type { Row } from '../model/value.js';
import type { Settlement } from './settle-conflict.js';

/** A conflict waiting for a person: both versions, where they clash, and a stable id. */
export interface ParkedConflict {
  /** The same on every replica for the same pair of versions, so a conflict parked twice is stored once. */
  readonly id: string;
  readonly table: TableRef;
  readonly key: RowKey;
  readonly a: ConflictSide;
  readonly b: ConflictSide;
}

/**
 * Where parked conflicts live. Synchronous because resolvers are: a durable implementation keeps an in-memory
 * index and writes through (or journals) to its database, and must keep `put` idempotent by `id`.
 */
export interface ParkedConflictStore {
  put(conflict: ParkedConflict): void;
  get(id: string): ParkedConflict | undefined;
  list(): readonly ParkedConflict[];
  remove(id: string): boolean;
}

/** The in-memory {@link ParkedConflictStore}: lost on restart, which is fine for tests and demos only. */
export class MemoryParkedConflictStore implements ParkedConflictStore {
  readonly #conflicts = new Map<string, ParkedConflict>();

  put(conflict: ParkedConflict): void {
    if (!this.#conflicts.has(conflict.id)) this.#conflicts.set(conflict.id, conflict);
  }

  get(id: string): ParkedConflict | undefined {
    return this.#conflicts.get(id);
  }

  list(): readonly ParkedConflict[] {
    return [...this.#conflicts.values()];
  }

  remove(id: string): boolean {
    return this.#conflicts.delete(id);
  }
}

/** Options of a {@link ManualQueue}. */
export interface ManualQueueOptions {
  /** The node on which decisions are taken; it becomes the writer of each decision. */
  readonly node: NodeId;
  /** The node's clock; decisions are stamped after both versions they settle. */
  readonly clock: { observe(remote: Hlc): Hlc };
  /** Where parked conflicts are kept; in memory by default. */
  readonly store?: ParkedConflictStore;
}

/** What a person chose: one side whole, or a row of their own (null deletes). */
export type ManualChoice = 'a' | 'b' | Row | null;

/**
 * Conflicts parked for a person. While one waits, replicas hold the provisional last-writer-wins state that
 * `settleConflict` gives a parked conflict; {@link ManualQueue.decide} turns the person's choice into a new write
 * whose version dominates both sides, so the decision reaches every replica as an ordinary change.
 *
 * @example
 * ```ts
 * const queue = new ManualQueue({ node: 'hq', clock });
 * const engine = new SyncEngine({ ..., resolver: manualResolver(queue) });
 * for (const c of queue.list()) await writeThroughSink(queue.decide(c.id, 'a'));
 * ```
 */
export class ManualQueue {
  readonly #store: ParkedConflictStore;

  constructor(private readonly options: ManualQueueOptions) {
    this.#store = options.store ?? new MemoryParkedConflictStore();
  }

  /** Parks a conflict (once per pair of versions) and returns it. */
  park(a: ConflictSide, b: ConflictSide, context: ConflictContext): ParkedConflict {
    const id = conflictId(a, b, context);
    const parked = this.#store.get(id) ?? { id, table: context.table, key: context.key, a, b };
    this.#store.put(parked);
    return parked;
  }

  /** Conflicts waiting for a decision. */
  list(): readonly ParkedConflict[] {
    return this.#store.list();
  }

  /** One waiting conflict, or undefined. */
  get(id: string): ParkedConflict | undefined {
    return this.#store.get(id);
  }

  /**
   * Settles a parked conflict as a person chose and removes it from the queue. The returned version merges both
   * vectors, adds one write by this node, carries a fresh HLC and stamps every column, so it dominates both sides
   * everywhere; write it through the node's sink and it replicates like any local change.
   */
  decide(id: string, choice: ManualChoice): Settlement {
    const conflict = this.#store.get(id);
    if (conflict === undefined) throw new ConflictError(`no parked conflict with id "${id}"`);
    const { a, b } = conflict;
    const row = choice === 'a' ? a.row : choice === 'b' ? b.row : choice;
    const newest = a.version.hlc > b.version.hlc ? a.version.hlc : b.version.hlc;
    const hlc = this.options.clock.observe(newest);
    const vv = incrementVersionVector(mergeVersionVectors(a.version.vv, b.version.vv), this.options.node);
    const version = {
      vv,
      hlc,
      writer: this.options.node,
      deleted: row === null,
      ...(row === null ? {} : { columns: Object.fromEntries(Object.keys(row).map((c) => [c, hlc])) }),
    };
    this.#store.remove(id);
    return { outcome: choice === 'a' || choice === 'b' ? choice : 'merged', row, version };
  }

  /** Drops a parked conflict without deciding (a later write already superseded it); true if it was there. */
  discard(id: string): boolean {
    return this.#store.remove(id);
  }
}

/**
 * A resolver that parks every conflict in `queue` for a person. Replicas keep the provisional last-writer-wins
 * state until the decision arrives.
 */
export function manualResolver(queue: ManualQueue): ConflictResolver {
  return {
    name: 'manual',
    resolve(a, b, context) {
      queue.park(a, b, context);
      return { kind: 'park' };
    },
  };
}

function conflictId(a: ConflictSide, b: ConflictSide, context: ConflictContext): string {
  const tag = (side: ConflictSide) => `${side.version.writer}:${side.version.hlc}`;
  const [first, second] = [tag(a), tag(b)].sort();
  return `${rowIdentity(context.table, context.key)}@${first}|${second}`;
}
