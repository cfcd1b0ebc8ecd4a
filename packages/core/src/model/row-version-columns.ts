import type { RowVersion } from './change-event.js';

/**
 * The text forms SQL sinks store a {@link RowVersion}'s parts in (shadow-table columns). Canonical, so the same
 * version always writes the same text, and HLCs as decimal strings so nothing is rounded.
 */

/** A version vector as canonical JSON (node ids sorted). */
export function encodeVersionVector(vv: RowVersion['vv']): string {
  const nodes = Object.keys(vv);
  // Usually already in order (most vectors have one or two nodes): then the object itself is the canonical form.
  if (inOrder(nodes)) return JSON.stringify(vv);
  return JSON.stringify(Object.fromEntries(nodes.sort().map((node) => [node, vv[node]])));
}

/**
 * Per-column HLCs, or null when the version has none. Compact because a shadow row is written with every applied
 * row: the columns stamped with the version's own HLC (usually all of them) are listed by name, and only the others
 * carry their HLC, in a trailing object: `["id","name",{"qty":"123"}]`. Names sorted, so the text is canonical.
 */
export function encodeColumnHlcs(columns: RowVersion['columns'], hlc: RowVersion['hlc']): string | null {
  if (columns === undefined) return null;
  const names = Object.keys(columns);
  if (names.every((name) => columns[name] === hlc)) return ownColumnsText(names);
  names.sort();
  const own: (string | Record<string, string>)[] = names.filter((name) => columns[name] === hlc);
  const others = names.filter((name) => columns[name] !== hlc);
  own.push(Object.fromEntries(others.map((name) => [name, columns[name]!.toString()])));
  return JSON.stringify(own);
}

/**
 * The text of columns all stamped with the version's HLC, remembered for the last list of names: the rows of one
 * table list the same names in the same order, one after the other, so most rows neither sort nor stringify.
 */
let lastNames: readonly string[] = [];
let lastText = '[]';

function ownColumnsText(names: string[]): string {
  if (names.length === lastNames.length && names.every((name, i) => name === lastNames[i])) return lastText;
  lastNames = names;
  lastText = JSON.stringify(inOrder(names) ? names : [...names].sort());
  return lastText;
}

/** Whether `names` are in the order `sort()` puts them in (UTF-16 code units). */
function inOrder(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (names[i - 1]! > names[i]!) return false;
  return true;
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
