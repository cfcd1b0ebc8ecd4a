import fc from 'fast-check';
import type { ConflictResolver, ConflictSide } from '../interfaces/conflict-resolver.js';
import type { Row, Value } from '../model/value.js';
import { rowsEqual } from '../model/value-equality.js';
import { columnMerge } from './column-merge.js';
import { lastWriterWins } from './last-writer-wins.js';
import { columnStamp, type Settlement } from './settle-conflict.js';
import { sourcePriority } from './source-priority.js';

/**
 * Shared pieces of the resolver property tests: small value spaces (so ties in HLC, writer and values happen
 * often) and a state comparison that treats a missing column stamp as the row's HLC, as resolvers do.
 */

/** The automatic built-in resolvers, by name. */
export const builtInResolvers: readonly (readonly [string, ConflictResolver])[] = [
  ['last-writer-wins', lastWriterWins],
  ['source-priority', sourcePriority(['n2', 'n0'])],
  ['column-merge', columnMerge()],
];

const columnValue: fc.Arbitrary<Value> = fc.oneof(fc.bigInt(0n, 3n), fc.constantFrom('x', 'y', null, -0, 0));

/** A live row over a few columns. */
export const smallRowArb: fc.Arbitrary<Row> = fc.dictionary(fc.constantFrom('p', 'q', 'r'), columnValue, {
  maxKeys: 3,
  noNullPrototype: true,
});

/** One side of a conflict; `allowDeletes: false` gives live rows only. */
export function sideArb(allowDeletes = true): fc.Arbitrary<ConflictSide> {
  return fc
    .record({
      row: allowDeletes ? fc.option(smallRowArb, { nil: null, freq: 4 }) : smallRowArb,
      vv: fc.dictionary(fc.constantFrom('n0', 'n1', 'n2', 'n3'), fc.nat(3), { maxKeys: 4, noNullPrototype: true }),
      hlc: fc.bigInt(0n, 4n),
      writer: fc.constantFrom('n0', 'n1', 'n2', 'n3'),
      columns: fc.option(fc.dictionary(fc.constantFrom('p', 'q', 'r'), fc.bigInt(0n, 4n), { noNullPrototype: true }), {
        nil: undefined,
      }),
    })
    .map(({ row, vv, hlc, writer, columns }) => ({
      row,
      version: { vv, hlc, writer, deleted: row === null, ...(columns === undefined ? {} : { columns }) },
    }));
}

/** Two settled states are the same row with the same version (column stamps compared as resolvers read them). */
export function sameState(x: ConflictSide | Settlement, y: ConflictSide | Settlement): boolean {
  const rowsMatch = x.row === null || y.row === null ? x.row === y.row : rowsEqual(x.row, y.row);
  if (!rowsMatch) return false;
  const vx = x.version;
  const vy = y.version;
  const vvx = Object.entries(vx.vv).filter(([, n]) => n > 0);
  const vvy = Object.entries(vy.vv).filter(([, n]) => n > 0);
  if (vvx.length !== vvy.length || vvx.some(([node, n]) => vy.vv[node] !== n)) return false;
  if (vx.hlc !== vy.hlc || vx.writer !== vy.writer || vx.deleted !== vy.deleted) return false;
  if (x.row === null) return true;
  return Object.keys(x.row).every((c) => columnStamp(vx, c) === columnStamp(vy, c));
}
