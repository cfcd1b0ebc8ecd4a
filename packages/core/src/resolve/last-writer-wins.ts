import type { ConflictResolver } from '../interfaces/conflict-resolver.js';
import { compareSides } from './version-order.js';

/**
 * Last writer wins: the side with the higher HLC wins whole, the greater writer node id breaks a tie, and a
 * deletion is judged by the same rule as an update. Because a node's HLC observes every version it has seen, a
 * causally later write always has the higher HLC, which is what makes this order safe to apply pairwise.
 *
 * @example
 * ```ts
 * const engine = new SyncEngine({ ..., resolver: lastWriterWins });
 * ```
 */
export const lastWriterWins: ConflictResolver = {
  name: 'last-writer-wins',
  resolve: (a, b) => ({ kind: 'pick', winner: compareSides(a, b) >= 0 ? 'a' : 'b' }),
};
