import type { CheckpointStore, ViewVersion } from '../interfaces/checkpoint-store.js';
import type { RowVersion, SourcePosition } from '../model/change-event.js';
import type { Row } from '../model/value.js';

/** What the log view knows of one row: its version as of the judged log position, and its data when known. */
export interface ViewEntry {
  readonly version: RowVersion;
  /**
   * The row's data as of that position (null when deleted), known when the row was seen in the log since the engine
   * started, or committed as `owed`; undefined otherwise (after a restart, or once the entry left the memory) until
   * the row appears in the log again. Used to settle a race: a sink write may have overwritten the local data in the
   * table, but the log still carried it.
   */
  readonly row?: Row | null;
  /**
   * True when the table does not hold `row`: a settled or restored state whose write-back has not landed. Such data
   * is committed with the version, since nothing else would still hold it after a restart.
   */
  readonly owed?: boolean;
}

/**
 * The in-memory face of one source's log view: row versions as of the last judged log record, loaded on demand
 * from the {@link CheckpointStore} and committed back to it together with the position they belong to.
 *
 * Memory is bounded by `capacity` rows: after each seal the entries judged longest ago leave it, except those not
 * committed yet (their versions exist nowhere else). A row that left is read back from the store when its next
 * record is judged; its data is then known from that record's whole before image, if the source has one.
 */
export class LogView {
  readonly #entries = new Map<string, ViewEntry>();
  #dirty = new Map<string, ViewVersion>();
  /** Sealed versions not committed yet: their entries stay in memory. */
  readonly #committing = new Set<ReadonlyMap<string, ViewVersion>>();

  constructor(
    private readonly store: CheckpointStore,
    private readonly sourceId: string,
    private readonly capacity = 100_000,
  ) {}

  /** Makes sure the rows are loaded from the store before {@link LogView.get} is asked about them. */
  async load(rowIds: Iterable<string>): Promise<void> {
    const missing = new Set<string>();
    for (const id of rowIds) if (!this.#entries.has(id)) missing.add(id);
    if (missing.size === 0) return;
    const stored = await this.store.versions(this.sourceId, [...missing]);
    for (const [id, version] of stored) if (!this.#entries.has(id)) this.#entries.set(id, entryOf(version));
  }

  /** The entry of a loaded row, undefined when the log never showed it. */
  get(rowId: string): ViewEntry | undefined {
    return this.#entries.get(rowId);
  }

  /** Sets a row's entry; it is committed with the next position. */
  set(rowId: string, entry: ViewEntry): void {
    // Re-inserted, so the map's order is the order rows were last judged in, oldest first.
    this.#entries.delete(rowId);
    this.#entries.set(rowId, entry);
    this.#dirty.set(rowId, entry.owed === true ? { ...entry.version, unwritten: entry.row ?? null } : entry.version);
  }

  /** Row ids of loaded entries whose id starts with `prefix` (a table's row-id prefix). */
  idsWithPrefix(prefix: string): string[] {
    return [...this.#entries.keys()].filter((id) => id.startsWith(prefix));
  }

  /** Forgets everything not committed (after a failed batch, before re-reading from the checkpoint). */
  reset(): void {
    this.#entries.clear();
    this.#dirty.clear();
    this.#committing.clear();
  }

  /**
   * Takes the versions changed since the last seal: what the batch just judged moved, to be committed with that
   * batch's position. Several judged batches may be publishing at once; each commits only its own changes, in log
   * order, so the store never holds a version from beyond the position it is stored with.
   */
  seal(): ReadonlyMap<string, ViewVersion> {
    const sealed = this.#dirty;
    this.#dirty = new Map();
    if (sealed.size > 0) this.#committing.add(sealed);
    this.#evict();
    return sealed;
  }

  /** Commits `position` with the versions {@link LogView.seal} took for it, atomically. */
  async commit(position: SourcePosition, sealed: ReadonlyMap<string, ViewVersion>): Promise<void> {
    await this.store.commit(this.sourceId, position, sealed);
    this.#committing.delete(sealed);
  }

  /**
   * Drops the entries judged longest ago beyond `capacity`. Only at a seal: between a batch's load and its judging
   * nothing leaves, and the apply side, which reads entries between awaits, falls back to the stored versions.
   */
  #evict(): void {
    let excess = this.#entries.size - this.capacity;
    if (excess <= 0) return;
    for (const id of this.#entries.keys()) {
      if (excess <= 0) break;
      if (this.#pinned(id)) continue;
      this.#entries.delete(id);
      excess -= 1;
    }
  }

  #pinned(rowId: string): boolean {
    if (this.#dirty.has(rowId)) return true;
    for (const sealed of this.#committing) if (sealed.has(rowId)) return true;
    return false;
  }
}

function entryOf(stored: ViewVersion): ViewEntry {
  if (stored.unwritten === undefined) return { version: stored };
  const { unwritten, ...version } = stored;
  return { version, row: unwritten, owed: true };
}

/** The log views of a node's sources, as the apply side reads them. */
export interface LogViews {
  entry(rowId: string): ViewEntry | undefined;
  load(rowIds: readonly string[]): Promise<void>;
}

/**
 * Several sources' log views read as one: the first view that holds a row answers, and a load goes to every view.
 * `views` is asked each time, so sources started later take part.
 */
export function combinedViews(views: () => Iterable<LogView>): LogViews {
  return {
    entry(rowId) {
      for (const view of views()) {
        const entry = view.get(rowId);
        if (entry !== undefined) return entry;
      }
      return undefined;
    },
    async load(rowIds) {
      for (const view of views()) await view.load(rowIds);
    },
  };
}
