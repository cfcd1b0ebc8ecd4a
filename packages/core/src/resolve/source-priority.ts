import { ConfigurationError } from '../errors.js';
import type { ConflictResolver } from '../interfaces/conflict-resolver.js';
import type { NodeId } from '../model/change-event.js';
import { compareSides } from './version-order.js';

/**
 * Source priority: the side written by the node listed first in `order` wins; writers missing from `order` rank
 * after every listed one; between equal ranks, last writer wins.
 *
 * Convergence caveat: rank is a property of the last writer only, so if a lower-ranked node overwrites (causally,
 * after seeing it) a higher-ranked write while a third, middle-ranked write is concurrent with both, replicas that
 * saw the writes in different orders can settle differently. With two writing nodes, or with priorities that
 * follow causality, every replica settles the same way.
 *
 * @example
 * ```ts
 * const resolver = sourcePriority(['headquarters', 'store-17']);
 * ```
 */
export function sourcePriority(order: readonly NodeId[]): ConflictResolver {
  const rank = new Map<NodeId, number>();
  for (const [i, node] of order.entries()) {
    if (typeof node !== 'string' || node.length === 0) {
      throw new ConfigurationError(`sourcePriority order[${i}] must be a non-empty node id`);
    }
    if (rank.has(node)) throw new ConfigurationError(`sourcePriority order lists node "${node}" twice`);
    rank.set(node, i);
  }
  const rankOf = (node: NodeId) => rank.get(node) ?? order.length;
  return {
    name: 'source-priority',
    resolve(a, b) {
      const ra = rankOf(a.version.writer);
      const rb = rankOf(b.version.writer);
      if (ra !== rb) return { kind: 'pick', winner: ra < rb ? 'a' : 'b' };
      return { kind: 'pick', winner: compareSides(a, b) >= 0 ? 'a' : 'b' };
    },
  };
}
