import type { Hlc } from '../clock/hlc-timestamp.js';
import { dominatesOrEquals } from '../clock/version-vector.js';
import type { CheckpointStore, ViewVersion } from '../interfaces/checkpoint-store.js';
import type { RowVersion, SourcePosition } from '../model/change-event.js';
import type { Row } from '../model/value.js';

/**
 * Store ids of a table's own entries, after its row-id prefix: no row id has them, since keys end in base64url.
 * `~seen`: every version the view ever set in the table, merged (the vector a truncate must dominate); `~truncated`:
 * the table's last truncate, which every row stored before it is deleted by.
 */
const SEEN = '~seen';
const TRUNCATED = '~truncated';

/** What the view knows of one table as a whole. */
interface TableState {
  /** Highest counter per node and newest HLC of every version set in the table. */
  seen: { vv: Record<string, number>; hlc: Hlc } | undefined;
  /** The table's last truncate. */
  truncated: RowVersion | undefined;
  /** Changed since the last seal. */
  dirty: boolean;
}

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
  /** Loaded tables, by row-id prefix. */
  readonly #tables = new Map<string, TableState>();

  constructor(
    private readonly store: CheckpointStore,
    private readonly sourceId: string,
    private readonly capacity = 100_000,
  ) {}

  /**
   * Makes sure the rows, and the tables they belong to, are loaded from the store before {@link LogView.get} is
   * asked about them. An id may also be a table's row-id prefix alone, to load only the table. A row stored before
   * its table's last truncate is loaded as deleted by it.
   */
  async load(rowIds: Iterable<string>): Promise<void> {
    const missing = new Set<string>();
    const tables = new Set<string>();
    for (const id of rowIds) {
      const prefix = prefixOf(id);
      if (!this.#tables.has(prefix)) tables.add(prefix);
      if (id !== prefix && !this.#entries.has(id)) missing.add(id);
    }
    if (missing.size === 0 && tables.size === 0) return;
    const wanted = [...missing];
    for (const prefix of tables) wanted.push(prefix + SEEN, prefix + TRUNCATED);
    const stored = await this.store.versions(this.sourceId, wanted);
    for (const prefix of tables) {
      if (this.#tables.has(prefix)) continue;
      const seen = stored.get(prefix + SEEN);
      this.#tables.set(prefix, {
        seen: seen === undefined ? undefined : { vv: { ...seen.vv }, hlc: seen.hlc },
        truncated: stored.get(prefix + TRUNCATED),
        dirty: false,
      });
    }
    for (const [id, version] of stored) {
      if (!missing.has(id) || this.#entries.has(id)) continue;
      this.#entries.set(id, entryOf(version, this.#tables.get(prefixOf(id))?.truncated));
    }
  }

  /**
   * The entry of a loaded row, undefined when the log never showed it; for a row of a truncated table the log never
   * showed since, the truncate's deletion.
   */
  get(rowId: string): ViewEntry | undefined {
    const entry = this.#entries.get(rowId);
    if (entry !== undefined) return entry;
    const truncated = this.#tables.get(prefixOf(rowId))?.truncated;
    return truncated === undefined ? undefined : { version: truncated, row: null };
  }

  /** Sets a row's entry; it is committed with the next position. Its table must be loaded. */
  set(rowId: string, entry: ViewEntry): void {
    // Re-inserted, so the map's order is the order rows were last judged in, oldest first.
    this.#entries.delete(rowId);
    this.#entries.set(rowId, entry);
    this.#dirty.set(rowId, entry.owed === true ? { ...entry.version, unwritten: entry.row ?? null } : entry.version);
    this.#see(prefixOf(rowId), entry.version);
  }

  /**
   * Every version the view ever set in a table, merged: the highest counter per node and the newest HLC, also of
   * rows no longer in memory. Undefined when it set none.
   */
  seen(prefix: string): { readonly vv: Readonly<Record<string, number>>; readonly hlc: Hlc } | undefined {
    return this.#table(prefix).seen;
  }

  /**
   * Records a truncate of the table: every row it held is deleted by `version`, which must dominate all of them
   * ({@link LogView.seen}). Rows in memory take it now; rows in the store take it when loaded.
   */
  truncate(prefix: string, version: RowVersion): void {
    const table = this.#table(prefix);
    table.truncated = version;
    for (const [id, entry] of this.#entries) {
      if (id.startsWith(prefix) && dominatesOrEquals(version.vv, entry.version.vv)) {
        this.#entries.set(id, { version, row: null });
        // A row whose version is still to be committed is committed deleted: the store must not keep the older one.
        if (this.#pinned(id)) this.#dirty.set(id, version);
      }
    }
    this.#see(prefix, version);
  }

  /** Forgets everything not committed (after a failed batch, before re-reading from the checkpoint). */
  reset(): void {
    this.#entries.clear();
    this.#dirty.clear();
    this.#committing.clear();
    this.#tables.clear();
  }

  /**
   * Takes the versions changed since the last seal: what the batch just judged moved, to be committed with that
   * batch's position. Several judged batches may be publishing at once; each commits only its own changes, in log
   * order, so the store never holds a version from beyond the position it is stored with.
   */
  seal(): ReadonlyMap<string, ViewVersion> {
    const sealed = this.#dirty;
    for (const [prefix, table] of this.#tables) {
      if (!table.dirty) continue;
      table.dirty = false;
      if (table.seen !== undefined) {
        sealed.set(prefix + SEEN, { vv: { ...table.seen.vv }, hlc: table.seen.hlc, writer: '', deleted: false });
      }
      if (table.truncated !== undefined) sealed.set(prefix + TRUNCATED, table.truncated);
    }
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

  #table(prefix: string): TableState {
    const table = this.#tables.get(prefix);
    if (table === undefined) throw new Error(`log view: table ${prefix} used before it was loaded`);
    return table;
  }

  /** Merges a version into its table's `seen` summary, in place: this runs for every judged row. */
  #see(prefix: string, version: RowVersion): void {
    const table = this.#table(prefix);
    if (table.seen === undefined) {
      table.seen = { vv: { ...version.vv }, hlc: version.hlc };
    } else {
      const { vv } = table.seen;
      for (const node in version.vv) {
        const counter = version.vv[node]!;
        if (!(counter <= (vv[node] ?? 0))) vv[node] = counter;
      }
      if (version.hlc > table.seen.hlc) table.seen.hlc = version.hlc;
    }
    table.dirty = true;
  }

  #pinned(rowId: string): boolean {
    if (this.#dirty.has(rowId)) return true;
    for (const sealed of this.#committing) if (sealed.has(rowId)) return true;
    return false;
  }
}

/**
 * A stored version as an entry, given the table's last truncate: a row stored before it (its version dominated by
 * the truncate's) is deleted by it. A row never stored reads as deleted by it through {@link LogView.get}.
 */
function entryOf(stored: ViewVersion, truncated: RowVersion | undefined): ViewEntry {
  if (truncated !== undefined && dominatesOrEquals(truncated.vv, stored.vv)) return { version: truncated, row: null };
  if (stored.unwritten === undefined) return { version: stored };
  const { unwritten, ...version } = stored;
  return { version, row: unwritten, owed: true };
}

let lastPrefix = '/';

/**
 * A row id's table part: everything up to and including the last `/` (table names have theirs escaped, keys are
 * base64url). The last one found is reused without slicing: consecutive rows are mostly of one table.
 */
function prefixOf(rowId: string): string {
  if (rowId.startsWith(lastPrefix) && rowId.indexOf('/', lastPrefix.length) === -1) return lastPrefix;
  lastPrefix = rowId.slice(0, rowId.lastIndexOf('/') + 1);
  return lastPrefix;
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
