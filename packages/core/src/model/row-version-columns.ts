import type { RowVersion } from './change-event.js';

/**
 * The text forms SQL sinks store a {@link RowVersion}'s parts in (shadow-table columns). Canonical, so the same
 * version always writes the same text, and HLCs as decimal strings so nothing is rounded.
 */

/** A version vector as canonical JSON (node ids sorted). */
export function encodeVersionVector(vv: RowVersion['vv']): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(vv)
        .sort()
        .map((node) => [node, vv[node]]),
    ),
  );
}

/**
 * Per-column HLCs, or null when the version has none. Compact because a shadow row is written with every applied
 * row: the columns stamped with the version's own HLC (usually all of them) are listed by name, and only the others
 * carry their HLC, in a trailing object: `["id","name",{"qty":"123"}]`. Names sorted, so the text is canonical.
 */
export function encodeColumnHlcs(columns: RowVersion['columns'], hlc: RowVersion['hlc']): string | null {
  if (columns === undefined) return null;
  const names = Object.keys(columns).sort();
  const own: (string | Record<string, string>)[] = names.filter((name) => columns[name] === hlc);
  const others = names.filter((name) => columns[name] !== hlc);
  if (others.length > 0) own.push(Object.fromEntries(others.map((name) => [name, columns[name]!.toString()])));
  return JSON.stringify(own);
}

/**
 * Reads what {@link encodeColumnHlcs} wrote for a version of HLC `hlc`. Also reads the earlier form, one object of
 * every column's HLC (`{"col":"123"}`), which shadow rows written before the compact form still hold.
 */
export function decodeColumnHlcs(text: string, hlc: RowVersion['hlc']): NonNullable<RowVersion['columns']> {
  const parsed = JSON.parse(text) as (string | Record<string, string>)[] | Record<string, string>;
  const columns: Record<string, bigint> = {};
  const stamps = (object: Record<string, string>) => {
    for (const [name, stamp] of Object.entries(object)) columns[name] = BigInt(stamp);
  };
  if (!Array.isArray(parsed)) {
    stamps(parsed);
    return columns;
  }
  for (const item of parsed) {
    if (typeof item === 'string') columns[item] = hlc;
    else stamps(item);
  }
  return columns;
}
