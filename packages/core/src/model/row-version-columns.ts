import type { RowVersion } from './change-event.js';

/**
 * The JSON forms SQL sinks store a {@link RowVersion}'s parts in (shadow-table columns). Canonical, so the same
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

/** Per-column HLCs as canonical JSON (`{"col":"123"}`), or null when the version has none. */
export function encodeColumnHlcs(columns: RowVersion['columns']): string | null {
  if (columns === undefined) return null;
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(columns)
        .sort()
        .map((name) => [name, columns[name]!.toString()]),
    ),
  );
}
