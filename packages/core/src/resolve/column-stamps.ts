import type { Hlc } from '../clock/hlc-timestamp.js';
import type { RowVersion } from '../model/change-event.js';
import type { Row } from '../model/value.js';
import { valuesEqual } from '../model/value-equality.js';
import { columnStamp } from './settle-conflict.js';

/**
 * The per-column stamps (`RowVersion.columns`) of a local write stamped `hlc`: a column whose value changed, or
 * that is new, gets `hlc`; an unchanged column keeps the stamp it had; a row written over a deletion (or a row
 * never seen) stamps every column, since all its values are new. Columns the source did not carry (`unchanged`,
 * e.g. PostgreSQL unchanged TOAST) keep their stamp. This is what the column-merge resolver reads.
 *
 * @example
 * ```ts
 * const version = { vv, hlc, writer: self, deleted: false, columns: stampColumns(logView, after, hlc, change.unchanged) };
 * ```
 */
export function stampColumns(
  previous: { readonly row: Row | null | undefined; readonly version: RowVersion } | undefined,
  after: Row,
  hlc: Hlc,
  unchanged: readonly string[] = [],
): Record<string, Hlc> {
  const stamps: Record<string, Hlc> = {};
  const before = previous === undefined || previous.version.deleted ? undefined : (previous.row ?? undefined);
  for (const column of Object.keys(after)) {
    const same = before !== undefined && Object.hasOwn(before, column) && valuesEqual(before[column]!, after[column]!);
    stamps[column] = same ? columnStamp(previous!.version, column) : hlc;
  }
  if (previous !== undefined && !previous.version.deleted) {
    for (const column of unchanged) {
      if (!Object.hasOwn(stamps, column)) stamps[column] = columnStamp(previous.version, column);
    }
  }
  return stamps;
}
