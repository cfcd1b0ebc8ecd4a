import type {
  ChangeBatch,
  ChangeEvent,
  NodeId,
  RowKey,
  RowVersion,
  SourcePosition,
  TableRef,
} from '../model/change-event.js';
import type { Row } from '../model/value.js';

/** A row as a sink holds it: its data (absent once deleted) and its version metadata. */
export interface StoredRow {
  readonly row: Row | undefined;
  readonly version: RowVersion;
}

/**
 * What the sink does with one incoming change, decided by the engine inside the sink's transaction.
 * - `skip`: the incoming version is already known (duplicate, echo, or older): touch nothing.
 * - `write`: write `row` (partial rows update only the columns they name; `null` deletes) and store `version`.
 * - `keep`: leave the data as it is and store `version` (the local side won a conflict; the history is merged).
 */
export type ApplyDecision =
  | { readonly kind: 'skip' }
  | { readonly kind: 'write'; readonly row: Row | null; readonly version: RowVersion }
  | { readonly kind: 'keep'; readonly version: RowVersion };

/**
 * Decides what to do with an incoming change given the row's stored state (undefined when the sink has never seen
 * the row). Pure and synchronous, so a sink can call it between reading and writing in one transaction.
 */
export type ApplyDecider = (incoming: ChangeEvent, current: StoredRow | undefined) => ApplyDecision;

/** What one {@link ChangeSink.apply} call did. */
export interface ApplyOutcome {
  /** Changes written (`write` or `keep`). */
  readonly applied: number;
  /** Changes skipped by decision. */
  readonly skipped: number;
  /** True when the whole batch was recognised as already applied from the per-origin position record. */
  readonly alreadyApplied: boolean;
}

/**
 * Applies stamped changes to one database.
 *
 * `apply` is atomic where the engine allows (one transaction per batch), idempotent (re-applying a batch changes
 * nothing), and co-writes in the same transaction (1) each row's {@link RowVersion} and (2) the batch's
 * `position` as the last applied position of `(batch.origin, batch.sourceId)`. It reads the stored versions of the
 * rows it touches under lock and calls `decide` for each change, so concurrent appliers cannot interleave.
 * Writes it makes must be recognisable by the same node's {@link ChangeSource} (which reports them with
 * `applied` set) so that they never echo.
 *
 * A change that cannot be applied (missing table or column, value the column cannot hold, constraint violation)
 * makes `apply` reject with an `ApplyError` naming table, column and key and the change's index in the batch,
 * and the transaction rolls back.
 *
 * @example
 * ```ts
 * const outcome = await sink.apply(batch, (incoming, current) =>
 *   current === undefined ? { kind: 'write', row: incoming.after ?? null, version: incoming.version } : decide(incoming, current));
 * ```
 */
export interface ChangeSink {
  /** Stable id, unique within the node. */
  readonly id: string;
  /** Applies a batch in one transaction; see the interface notes for the guarantees. */
  apply(batch: ChangeBatch, decide: ApplyDecider): Promise<ApplyOutcome>;
  /** The last position applied from one origin source, as co-written by {@link ChangeSink.apply}. */
  lastApplied(origin: NodeId, sourceId: string): Promise<SourcePosition | undefined>;
  /** Reads stored rows with their versions; missing keys map to undefined. Used by checks, digests and the manual queue. */
  read(table: TableRef, keys: readonly RowKey[]): Promise<(StoredRow | undefined)[]>;
  /** Releases connections. */
  close(): Promise<void>;
}
