import type { RowKey, RowVersion, TableRef } from '../model/change-event.js';
import type { Row } from '../model/value.js';

/** One side of a conflict: a row (null when that side deleted it) and its version. */
export interface ConflictSide {
  readonly row: Row | null;
  readonly version: RowVersion;
}

/** Where a conflict happened. */
export interface ConflictContext {
  readonly table: TableRef;
  readonly key: RowKey;
}

/**
 * A resolver's answer for two concurrent versions:
 * - `pick`: one side wins whole;
 * - `merge`: a new row built from both (null deletes);
 * - `park`: neither is chosen automatically; the conflict waits in the manual queue for a person.
 */
export type Resolution =
  | { readonly kind: 'pick'; readonly winner: 'a' | 'b' }
  | { readonly kind: 'merge'; readonly row: Row | null }
  | { readonly kind: 'park' };

/**
 * Chooses between two concurrent versions of a row.
 *
 * Resolvers must be pure and deterministic, and must not care which side is local: `resolve(a, b)` and
 * `resolve(b, a)` must describe the same outcome (the same winner, or the same merged row). That is what lets every
 * replica settle a conflict on its own and still converge. Custom strategies implement this interface and are
 * registered by name.
 *
 * @example
 * ```ts
 * const preferNewest: ConflictResolver = {
 *   name: 'prefer-newest',
 *   resolve: (a, b) => ({ kind: 'pick', winner: a.version.hlc >= b.version.hlc ? 'a' : 'b' }),
 * };
 * ```
 */
export interface ConflictResolver {
  /** The name it is registered and reported under. */
  readonly name: string;
  resolve(a: ConflictSide, b: ConflictSide, context: ConflictContext): Resolution;
}
