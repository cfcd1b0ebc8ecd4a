import { canonicalEncodeValue } from '../codec/canonical-encoding.js';
import type { ConflictSide } from '../interfaces/conflict-resolver.js';
import type { RowVersion } from '../model/change-event.js';
import type { Row } from '../model/value.js';

/** Orders versions by HLC, then by writer node id: the last-writer-wins order. */
export function compareByClock(a: RowVersion, b: RowVersion): number {
  if (a.hlc !== b.hlc) return a.hlc > b.hlc ? 1 : -1;
  return a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : 0;
}

/**
 * A total order over conflict sides: HLC, then writer, then (only for sides that also tie on those, which two
 * different writes never do) deletion before a live row, the rows' canonical bytes and the column stamps. Total, so a resolver
 * built on it picks the same side whichever way round it is asked.
 */
export function compareSides(a: ConflictSide, b: ConflictSide): number {
  const byClock = compareByClock(a.version, b.version);
  if (byClock !== 0) return byClock;
  const aLive = isLive(a);
  const bLive = isLive(b);
  if (aLive !== bLive) return aLive ? 1 : -1;
  if (!aLive) return 0;
  const byRow = compareBytes(canonicalEncodeValue(asDocument(a.row!)), canonicalEncodeValue(asDocument(b.row!)));
  if (byRow !== 0) return byRow;
  const stampsA = stampListing(a.version);
  const stampsB = stampListing(b.version);
  return stampsA < stampsB ? -1 : stampsA > stampsB ? 1 : 0;
}

/** Column stamps as one comparable string, so sides that differ only there still order totally. */
function stampListing(version: RowVersion): string {
  if (version.columns === undefined) return '';
  const names = Object.keys(version.columns).sort();
  return JSON.stringify(names.map((name) => [name, String(version.columns![name])]));
}

/** True when the side holds a row (not a deletion). */
export function isLive(side: ConflictSide): boolean {
  return side.row !== null && !side.version.deleted;
}

/** Lexicographic order of byte strings. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function asDocument(row: Row) {
  return { kind: 'document' as const, fields: row };
}
