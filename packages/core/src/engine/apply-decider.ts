import { compareVersionVectors, dominatesOrEquals } from '../clock/version-vector.js';
import type { ApplyDecider, ApplyDecision, StoredRow } from '../interfaces/change-sink.js';
import type { ConflictResolver } from '../interfaces/conflict-resolver.js';
import type { ChangeEvent, RowVersion } from '../model/change-event.js';
import type { Row } from '../model/value.js';
import { settleConflict } from '../resolve/settle-conflict.js';
import { type ConflictRecord, conflictRecord } from './log-judge.js';
import type { ViewEntry } from './log-view.js';
import { rowIdOf } from './row-ids.js';

/** What the decider needs from the engine. */
export interface DeciderContext {
  readonly resolver: ConflictResolver;
  /**
   * The log view's entry of a row, when loaded: newer than the shadow version for local writes already judged.
   * Undefined on a node without sources, which has no log view (and then computes no row ids here).
   */
  readonly viewOf?: ((rowId: string) => ViewEntry | undefined) | undefined;
  /** Called for every concurrent pair settled (and for parked ones). */
  readonly onConflict: (record: ConflictRecord, parked: boolean, incoming: ChangeEvent, local: StoredRow) => void;
}

/**
 * The decider for remote changes, called by a sink inside its transaction:
 * - the row's current version is the newer of the stored (shadow) version and the log view's version — the view
 *   knows local writes already judged, which the shadow (written only by sinks) does not;
 * - incoming dominated or equal → `skip` (duplicates and echoes die here);
 * - incoming dominating → `write` it;
 * - concurrent → `settleConflict`: the local side winning → `keep` with the merged version, otherwise `write` the
 *   settled row with it. A parked conflict is settled provisionally (last writer wins) and reported as parked.
 *
 * @example
 * ```ts
 * await sink.apply(batch, remoteDecider({ resolver: lastWriterWins, viewOf: () => undefined, onConflict: log }));
 * ```
 */
export function remoteDecider(ctx: DeciderContext): ApplyDecider {
  return (incoming, stored) => {
    const view = ctx.viewOf === undefined ? undefined : ctx.viewOf(rowIdOf(incoming.table, incoming.key));
    const current = currentState(stored, view);
    if (current === undefined) return writeIncoming(incoming, undefined);
    switch (compareVersionVectors(incoming.version.vv, current.version.vv)) {
      case 'before':
      case 'equal':
        return { kind: 'skip' };
      case 'after':
        return writeIncoming(incoming, current.row);
      default:
        return settle(incoming, current, ctx);
    }
  };
}

/**
 * The decider for the engine's own write-backs of settled races: a compare-and-set. It writes only while the row
 * still holds the version of the sink write that triggered the settlement; if anything newer was written since,
 * that write is in the log and the judge settles it in its turn.
 */
export function writeBackDecider(expected: ReadonlyMap<string, RowVersion>): ApplyDecider {
  return (incoming, stored) => {
    const want = expected.get(rowIdOf(incoming.table, incoming.key));
    if (want === undefined || stored === undefined || !sameVersion(stored.version, want)) return { kind: 'skip' };
    return {
      kind: 'write',
      row: incoming.op === 'delete' ? null : (incoming.after ?? null),
      version: incoming.version,
    };
  };
}

/** The decider for a person's decision on a parked conflict: it dominates both sides, so it is written unless known. */
export const decisionDecider: ApplyDecider = (incoming, stored) => {
  if (
    stored !== undefined &&
    dominatesOrEquals(stored.version.vv, incoming.version.vv) &&
    !isUnversioned(stored.version)
  )
    return { kind: 'skip' };
  return { kind: 'write', row: incoming.op === 'delete' ? null : (incoming.after ?? null), version: incoming.version };
};

function sameVersion(a: RowVersion, b: RowVersion): boolean {
  return (
    a.hlc === b.hlc && a.writer === b.writer && a.deleted === b.deleted && compareVersionVectors(a.vv, b.vv) === 'equal'
  );
}

function settle(incoming: ChangeEvent, current: CurrentState, ctx: DeciderContext): ApplyDecision {
  const remoteRow = incoming.op === 'delete' ? null : { ...(current.row ?? {}), ...(incoming.after ?? {}) };
  const settled = settleConflict(
    ctx.resolver,
    { row: current.version.deleted ? null : current.row, version: current.version },
    { row: remoteRow, version: incoming.version },
    { table: incoming.table, key: incoming.key },
  );
  ctx.onConflict(
    conflictRecord(incoming, 'apply', ctx.resolver.name, settled.outcome, current.version, incoming.version),
    settled.outcome === 'parked',
    incoming,
    { row: current.row ?? undefined, version: current.version },
  );
  const keepsLocal =
    settled.outcome === 'a' ||
    (settled.outcome === 'parked' &&
      settled.version.writer === current.version.writer &&
      settled.version.hlc === current.version.hlc);
  // `keep` only when the table's data is the data of the local version; otherwise write that data with it.
  if (keepsLocal && current.consistent) return { kind: 'keep', version: settled.version };
  return { kind: 'write', row: settled.row, version: settled.version };
}

function writeIncoming(incoming: ChangeEvent, _current: Row | null | undefined): ApplyDecision {
  return { kind: 'write', row: incoming.op === 'delete' ? null : (incoming.after ?? null), version: incoming.version };
}

/** The local side as the decider sees it; `consistent` when `row` is the data `version` describes. */
interface CurrentState {
  readonly row: Row | null;
  readonly version: RowVersion;
  readonly consistent: boolean;
}

/**
 * The newer of the stored version and the view's. The view's wins when it dominates the stored one and knows the
 * row's data (local writes already judged); its data then replaces the table's, which may still hold a sink write
 * waiting for its settlement to be written back. Otherwise the stored pair (the log judge settles the rest).
 */
function currentState(stored: StoredRow | undefined, view: ViewEntry | undefined): CurrentState | undefined {
  if (
    view !== undefined &&
    view.row !== undefined &&
    (stored === undefined || dominatesOrEquals(view.version.vv, stored.version.vv))
  ) {
    return { row: view.version.deleted ? null : view.row, version: view.version, consistent: false };
  }
  if (stored === undefined) return undefined;
  return { row: stored.row ?? null, version: stored.version, consistent: true };
}

function isUnversioned(version: RowVersion): boolean {
  return version.writer === '' && Object.keys(version.vv).length === 0;
}
