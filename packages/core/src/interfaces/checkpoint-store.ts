import type { RowVersion, SourcePosition } from '../model/change-event.js';
import type { Row } from '../model/value.js';

/**
 * A row's version in a log view, with the row's data when the table does not hold it: a state the engine settled
 * (a sink write that raced with a local write) or restored (a sink write over a newer local write) whose write-back
 * has not landed yet. Once such a write-back misses (a newer sink write got there first), neither the table nor the
 * log holds that data any more, so a restart needs it from the store.
 */
export interface ViewVersion extends RowVersion {
  /** The data the version describes (null: deleted) when the table does not hold it; absent when it does. */
  readonly unwritten?: Row | null;
}

/**
 * Keeps, per source, the last checkpointed position and the *log view*: each row's version as of that position
 * in the node's own log. The engine stamps a local write from the log view (never from the current table, which
 * may already hold later remote writes), so the view must move together with the position: {@link
 * CheckpointStore.commit} stores both atomically, and a restart replays from a position whose view matches it.
 *
 * Rows are identified by a row id string from `rowIdentity(table, key)`.
 */
export interface CheckpointStore {
  /** The last committed position of a source, or undefined if it never committed. */
  position(sourceId: string): Promise<SourcePosition | undefined>;
  /**
   * Row versions as of the last committed position, each with its `unwritten` data when committed with it; rows
   * never seen are absent from the map.
   */
  versions(sourceId: string, rowIds: readonly string[]): Promise<Map<string, ViewVersion>>;
  /**
   * Atomically stores a new position and the row versions that changed up to it, `unwritten` data included (a
   * version committed without it replaces one with it).
   */
  commit(sourceId: string, position: SourcePosition, versions: ReadonlyMap<string, ViewVersion>): Promise<void>;
  /**
   * Drops a table's rows from a source's log view, for a `truncate`: the rows are gone, and a later insert of the
   * same key starts a new history. `tablePrefix` is the prefix every row id of that table starts with, the part of
   * `rowIdentity(table, key)` up to and including the `/` (e.g. `public.orders/`). Optional: a store without it
   * keeps the old versions, which only makes later inserts of those keys look like updates of the old history.
   */
  forgetTable?(sourceId: string, tablePrefix: string): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
