import { type Hlc, packHlc } from '../clock/hlc-timestamp.js';
import type { HybridLogicalClock } from '../clock/hybrid-logical-clock.js';
import { compareVersionVectors, incrementVersionVector } from '../clock/version-vector.js';
import type { ConflictResolver } from '../interfaces/conflict-resolver.js';
import type { CapturedChange, ChangeEvent, NodeId, RowKey, RowVersion, TableRef } from '../model/change-event.js';
import { rowIdentity } from '../model/row-identity.js';
import type { Row } from '../model/value.js';
import { stampColumns } from '../resolve/column-stamps.js';
import { type SettlementOutcome, settleConflict } from '../resolve/settle-conflict.js';
import type { LogView, ViewEntry } from './log-view.js';
import { rowIdOf } from './row-ids.js';

/** A conflict the engine settled, as status() lists it. */
export interface ConflictRecord {
  readonly table: TableRef;
  readonly key: RowKey;
  /** `capture`: a sink write raced with a local write in this node's log; `apply`: an incoming change was concurrent. */
  readonly detectedAt: 'capture' | 'apply';
  readonly resolver: string;
  /** Which side won from this node's point of view, a merge, or parked for a person. */
  readonly outcome: 'local' | 'remote' | 'merged' | 'parked';
  readonly localWriter: NodeId;
  readonly remoteWriter: NodeId;
  readonly at: Date;
}

/**
 * A settled state the engine must write back through the node's own sink, only if the row still holds the sink
 * write that triggered it (`expected`): anything newer in the table is judged from the log in its turn.
 */
export interface Reapply {
  readonly change: CapturedChange;
  readonly row: Row | null;
  readonly version: RowVersion;
  /** The version the triggering sink write stored; the write-back is a compare-and-set on it. */
  readonly expected: RowVersion;
}

/** What judging a run of captured changes produced. */
export interface Judgement {
  /** Local writes, stamped, to publish. */
  readonly events: ChangeEvent[];
  /** Settled races to write back locally. */
  readonly reapplies: Reapply[];
  readonly conflicts: ConflictRecord[];
  /** Sink writes recognised (echoes not republished). */
  echoes: number;
}

/** What the judge needs. */
export interface JudgeContext {
  readonly node: NodeId;
  readonly sourceId: string;
  readonly clock: HybridLogicalClock;
  readonly resolver: ConflictResolver;
  readonly view: LogView;
}

/**
 * Judges captured changes in log order against the log view (row versions as of each record's position, never the
 * current table):
 * - a change without `applied` is a local write: stamped with `clock.now()` and the view's vector incremented for
 *   this node (changed columns get the new HLC, unchanged ones keep theirs), then published;
 * - a change with `applied` is a sink write. If its vector dominates or equals the view's, it is an echo: the view
 *   takes it and nothing is published. If the view's vector dominates it, the sink overwrote a newer local write
 *   the engine had already judged: that local state is written back. If they are concurrent, the sink write raced
 *   with a local write: the conflict is settled with the resolver and the settlement written back locally, which
 *   every other node reaches on its own because resolvers are symmetric.
 *
 * The view must already hold every row the changes touch ({@link LogView.load}).
 */
export function judgeChanges(changes: readonly CapturedChange[], ctx: JudgeContext): Judgement {
  const out: Judgement = { events: [], reapplies: [], conflicts: [], echoes: 0 };
  // A later record of the same row supersedes a pending write-back: only the last state of a row is written back.
  const pending = new Map<string, Reapply>();
  for (const change of changes) {
    if (change.op === 'truncate') {
      out.events.push(stampTruncate(change, ctx));
      continue;
    }
    const id = rowIdOf(change.table, change.key);
    pending.delete(id);
    const prev = ctx.view.get(id);
    if (change.applied === undefined) {
      const event = stampLocal(change, prev, ctx);
      ctx.view.set(id, { version: event.version, row: imageAfter(change, prev) });
      out.events.push(event);
    } else {
      const reapply = judgeSinkWrite(change, change.applied, prev, id, ctx, out);
      if (reapply !== undefined) pending.set(id, reapply);
    }
  }
  out.reapplies.push(...pending.values());
  return out;
}

function judgeSinkWrite(
  change: CapturedChange,
  applied: RowVersion,
  prev: ViewEntry | undefined,
  id: string,
  ctx: JudgeContext,
  out: Judgement,
): Reapply | undefined {
  observe(ctx.clock, applied.hlc);
  const relation = prev === undefined ? 'after' : compareVersionVectors(applied.vv, prev.version.vv);
  if (relation === 'after' || relation === 'equal') {
    out.echoes += 1;
    ctx.view.set(id, { version: applied, row: imageAfter(change, prev) });
    return undefined;
  }
  const local = prev!;
  const overwritten = localData(change, local);
  if (relation === 'before') {
    // The sink wrote an older state over a local write judged earlier; the table must get the local state back.
    if (overwritten === undefined) return undefined;
    // Owed until the write-back lands: the table now holds the sink's older data.
    ctx.view.set(id, { version: local.version, row: overwritten, owed: true });
    return { change, row: overwritten, version: local.version, expected: applied };
  }
  const known = imageAfter(change, local);
  // A version-only record (the sink kept the data) carries no image: its data is the local one.
  const localRow = overwritten === undefined ? (known ?? null) : overwritten;
  const remoteRow = known === undefined ? localRow : known;
  const settled = settleConflict(
    ctx.resolver,
    { row: local.version.deleted ? null : localRow, version: local.version },
    { row: applied.deleted ? null : remoteRow, version: applied },
    { table: change.table, key: change.key },
  );
  ctx.view.set(id, { version: settled.version, row: settled.row, owed: true });
  out.conflicts.push(conflictRecord(change, 'capture', ctx.resolver.name, settled.outcome, local.version, applied));
  return { change, row: settled.row, version: settled.version, expected: applied };
}

/** A conflict record from a settlement where side `a` was the local one. */
export function conflictRecord(
  change: { table: TableRef; key: RowKey },
  detectedAt: 'capture' | 'apply',
  resolver: string,
  outcome: SettlementOutcome,
  local: RowVersion,
  remote: RowVersion,
): ConflictRecord {
  const named = { a: 'local', b: 'remote', merged: 'merged', parked: 'parked' } as const;
  return {
    table: change.table,
    key: change.key,
    detectedAt,
    resolver,
    outcome: named[outcome],
    localWriter: local.writer,
    remoteWriter: remote.writer,
    at: new Date(),
  };
}

/**
 * The HLC of a local write, derived only from the log record and the view: the commit time, pushed past the
 * row's previous version. A restart that judges the same record again (after a crash between publish and
 * checkpoint) therefore stamps exactly the same version, so replicas never hold two versions with one vector.
 * Per-row causality is what last-writer-wins needs: a write on top of a version always has the higher HLC.
 */
function stampClock(change: CapturedChange, floor: Hlc | undefined, ctx: JudgeContext): Hlc {
  const wall = commitHlc(change.tx.commitTimeMicros);
  const hlc = floor !== undefined && floor + 1n > wall ? floor + 1n : wall;
  observe(ctx.clock, hlc);
  return hlc;
}

/** The HLC of a commit time, remembered for the last one: every change of a transaction shares it. */
let lastCommitMicros: bigint | undefined;
let lastCommitHlc: Hlc = 0n;

function commitHlc(commitTimeMicros: bigint): Hlc {
  if (commitTimeMicros !== lastCommitMicros) {
    lastCommitHlc = packHlc(commitTimeMicros / 1000n, 0);
    lastCommitMicros = commitTimeMicros;
  }
  return lastCommitHlc;
}

function stampLocal(change: CapturedChange, prev: ViewEntry | undefined, ctx: JudgeContext): ChangeEvent {
  const hlc = stampClock(change, prev?.version.hlc, ctx);
  const vv = incrementVersionVector(prev?.version.vv ?? {}, ctx.node);
  if (change.op === 'delete') return toEvent(change, { vv, hlc, writer: ctx.node, deleted: true }, ctx);
  // After a restart the view may not hold the row's data; the source's before image stands in for it.
  const columns = stampColumns(
    prev === undefined ? undefined : { row: prev.row ?? change.before, version: prev.version },
    change.after ?? {},
    hlc,
    change.unchanged,
  );
  return toEvent(change, { vv, hlc, writer: ctx.node, deleted: false, columns }, ctx);
}

function stampTruncate(change: CapturedChange, ctx: JudgeContext): ChangeEvent {
  // The truncate's vector dominates every version this node ever judged in the table, so receivers delete exactly
  // the rows this node had seen and settle rows written concurrently elsewhere as they would a deletion.
  const prefix = tablePrefix(change.table);
  const seen = ctx.view.seen(prefix);
  const version: RowVersion = {
    vv: incrementVersionVector(seen?.vv ?? {}, ctx.node),
    hlc: stampClock(change, seen?.hlc, ctx),
    writer: ctx.node,
    deleted: true,
  };
  ctx.view.truncate(prefix, version);
  return toEvent(change, version, ctx);
}

/**
 * The published event of a judged change: its fields without `applied`, and the node, source and version. Built
 * field by field rather than spread: sources build their changes in several shapes, and a spread over many shapes
 * is several times slower than this on the path every change takes; optional fields stay absent when unset.
 */
function toEvent(change: CapturedChange, version: RowVersion, ctx: JudgeContext): ChangeEvent {
  const event: Mutable<ChangeEvent> = { op: change.op, table: change.table, key: change.key };
  if (change.after !== undefined) event.after = change.after;
  if (change.before !== undefined) event.before = change.before;
  if (change.unchanged !== undefined) event.unchanged = change.unchanged;
  event.position = change.position;
  event.tx = change.tx;
  if (change.snapshot !== undefined) event.snapshot = change.snapshot;
  event.origin = ctx.node;
  event.sourceId = ctx.sourceId;
  event.version = version;
  return event as ChangeEvent;
}

/** A type whose fields may be assigned one by one while it is built. */
type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

/**
 * The row's data after a change, given the view's earlier image (partial after images update named columns);
 * undefined when unknown (a version-only record about a row whose data the view never saw).
 */
export function imageAfter(change: CapturedChange, prev: ViewEntry | undefined): Row | null | undefined {
  if (change.op === 'delete') return null;
  const base = localData(change, prev);
  if (change.after === undefined) return base;
  // Rows are never mutated once captured, so a full image needs no copy.
  if (base == null) return change.after;
  return { ...base, ...change.after };
}

/**
 * The local data a record met: the view's image of the row (the settled state, which a pending write-back is about
 * to make the table's), or else the record's whole before image (the view has no data of rows not seen since a
 * restart); undefined when neither is known.
 */
function localData(change: CapturedChange, prev: ViewEntry | undefined): Row | null | undefined {
  if (prev?.row !== undefined) return prev.row;
  return change.beforeComplete === true ? (change.before ?? null) : undefined;
}

/** The common prefix of every row id of a table. */
export function tablePrefix(table: TableRef): string {
  const id = rowIdentity(table, []);
  return id.slice(0, id.lastIndexOf('/') + 1);
}

function observe(clock: HybridLogicalClock, hlc: Hlc): void {
  try {
    clock.observe(hlc);
  } catch {
    // A remote clock too far ahead is refused by the clock; the version is still judged by its vector.
  }
}
