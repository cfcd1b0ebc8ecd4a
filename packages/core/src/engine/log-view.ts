import type { CheckpointStore } from '../interfaces/checkpoint-store.js';
import type { RowVersion, SourcePosition } from '../model/change-event.js';
import type { Row } from '../model/value.js';

/** What the log view knows of one row: its version as of the judged log position, and its data when known. */
export interface ViewEntry {
  readonly version: RowVersion;
  /**
   * The row's data as of that position (null when deleted), known when the row was seen in the log since the engine
   * started; undefined after a restart until the row appears in the log again. Used to settle a race: a sink write
   * may have overwritten the local data in the table, but the log still carried it.
   */
  readonly row?: Row | null;
}

/**
 * The in-memory face of one source's log view: row versions as of the last judged log record, loaded on demand
 * from the {@link CheckpointStore} and committed back to it together with the position they belong to.
 */
export class LogView {
  readonly #entries = new Map<string, ViewEntry>();
  readonly #dirty = new Map<string, RowVersion>();

  constructor(
    private readonly store: CheckpointStore,
    private readonly sourceId: string,
  ) {}

  /** Makes sure the rows are loaded from the store before {@link LogView.get} is asked about them. */
  async load(rowIds: Iterable<string>): Promise<void> {
    const missing = [...new Set(rowIds)].filter((id) => !this.#entries.has(id));
    if (missing.length === 0) return;
    const stored = await this.store.versions(this.sourceId, missing);
    for (const [id, version] of stored) if (!this.#entries.has(id)) this.#entries.set(id, { version });
  }

  /** The entry of a loaded row, undefined when the log never showed it. */
  get(rowId: string): ViewEntry | undefined {
    return this.#entries.get(rowId);
  }

  /** Sets a row's entry; it is committed with the next position. */
  set(rowId: string, entry: ViewEntry): void {
    this.#entries.set(rowId, entry);
    this.#dirty.set(rowId, entry.version);
  }

  /** Row ids of loaded entries whose id starts with `prefix` (a table's row-id prefix). */
  idsWithPrefix(prefix: string): string[] {
    return [...this.#entries.keys()].filter((id) => id.startsWith(prefix));
  }

  /** Forgets everything not committed (after a failed batch, before re-reading from the checkpoint). */
  reset(): void {
    this.#entries.clear();
    this.#dirty.clear();
  }

  /** Commits the position with every version changed since the last commit, atomically. */
  async commit(position: SourcePosition): Promise<void> {
    const changed = new Map(this.#dirty);
    await this.store.commit(this.sourceId, position, changed);
    for (const [id, version] of changed) if (this.#dirty.get(id) === version) this.#dirty.delete(id);
  }
}
