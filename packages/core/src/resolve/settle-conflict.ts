import type { Hlc } from '../clock/hlc-timestamp.js';
import { mergeVersionVectors } from '../clock/version-vector.js';
import { ConflictError } from '../errors.js';
import type { ConflictContext, ConflictResolver, ConflictSide, Resolution } from '../interfaces/conflict-resolver.js';
import type { RowVersion } from '../model/change-event.js';
import type { Row } from '../model/value.js';
import { valuesEqual } from '../model/value-equality.js';
import { compareByClock, compareSides, isLive } from './version-order.js';

/** How a conflict ended: one side won whole, a merged row was built, or it waits in the manual queue. */
export type SettlementOutcome = 'a' | 'b' | 'merged' | 'parked';

/**
 * The settled state of a row after a conflict: the row to hold (null: deleted) and the version to store with it.
 * The version's vector is the merge of both sides', so it dominates both and every later copy of either side is
 * skipped as already known.
 */
export interface Settlement {
  readonly outcome: SettlementOutcome;
  readonly row: Row | null;
  readonly version: RowVersion;
}

/**
 * Runs `resolver` on two concurrent versions and turns its answer into the state to store. Symmetric like the
 * resolver: `settleConflict(r, a, b)` and `settleConflict(r, b, a)` give the same row and version (only the
 * outcome's letter mirrors).
 *
 * The version: `vv` merges both sides; when one side wins, `hlc`, `writer` and `columns` are the winner's (the
 * version still describes the write whose data it holds, which keeps later comparisons consistent with what was
 * compared before); for a merged row, `hlc` and `writer` come from the side that is last by (HLC, writer) and each
 * column keeps the stamp of the side its value came from. A `park` answer settles provisionally by last writer
 * wins, so replicas stay identical while a person decides; the decision then arrives as a new, dominating write.
 *
 * @example
 * ```ts
 * const settled = settleConflict(lastWriterWins, local, incoming, { table, key });
 * if (settled.outcome === 'a') keepLocal(settled.version); else write(settled.row, settled.version);
 * ```
 */
export function settleConflict(
  resolver: ConflictResolver,
  a: ConflictSide,
  b: ConflictSide,
  context: ConflictContext,
): Settlement {
  const resolution: Resolution = resolver.resolve(a, b, context);
  const vv = mergeVersionVectors(a.version.vv, b.version.vv);
  switch (resolution.kind) {
    case 'pick':
      return picked(resolution.winner, resolution.winner === 'a' ? a : b, vv);
    case 'park': {
      const aLater = compareSides(a, b) >= 0;
      return { ...picked(aLater ? 'a' : 'b', aLater ? a : b, vv), outcome: 'parked' };
    }
    case 'merge':
      return merged(resolution.row, a, b, vv);
    default:
      throw new ConflictError(
        `resolver "${resolver.name}" answered ${JSON.stringify((resolution as { kind?: unknown }).kind)} for ${context.table.namespace}.${context.table.name}; expected pick, merge or park`,
      );
  }
}

function picked(outcome: 'a' | 'b', winner: ConflictSide, vv: RowVersion['vv']): Settlement {
  const live = isLive(winner);
  const version: RowVersion = {
    vv,
    hlc: winner.version.hlc,
    writer: winner.version.writer,
    deleted: !live,
    ...(winner.version.columns !== undefined && live ? { columns: winner.version.columns } : {}),
  };
  return { outcome, row: live ? winner.row : null, version };
}

function merged(row: Row | null, a: ConflictSide, b: ConflictSide, vv: RowVersion['vv']): Settlement {
  const last = compareByClock(a.version, b.version) >= 0 ? a.version : b.version;
  const version: RowVersion = {
    vv,
    hlc: last.hlc,
    writer: last.writer,
    deleted: row === null,
    ...(row === null ? {} : { columns: mergedStamps(row, a, b, last.hlc) }),
  };
  return { outcome: 'merged', row, version };
}

/** Each column keeps the stamp of the side its value came from (the later one if both hold it). */
function mergedStamps(row: Row, a: ConflictSide, b: ConflictSide, fallback: Hlc): Record<string, Hlc> {
  const stamps: Record<string, Hlc> = {};
  for (const column of Object.keys(row)) {
    let stamp: Hlc | undefined;
    for (const side of [a, b]) {
      if (!isLive(side) || !Object.hasOwn(side.row!, column) || !valuesEqual(side.row![column]!, row[column]!))
        continue;
      const s = columnStamp(side.version, column);
      if (stamp === undefined || s > stamp) stamp = s;
    }
    // A value neither side held was made by the resolver itself: it is as new as the newer side.
    stamps[column] = stamp ?? fallback;
  }
  return stamps;
}

/** The HLC at which `version` last wrote `column`; the row's HLC when the version carries no column stamps. */
export function columnStamp(version: RowVersion, column: string): Hlc {
  return version.columns?.[column] ?? version.hlc;
}
