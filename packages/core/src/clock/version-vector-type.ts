import type { NodeId } from '../model/change-event.js';

/**
 * A version vector: for each node, how many writes of that node this version has seen.
 * A missing entry means zero. Counters count writes to one row, so a `number` never overflows in practice.
 */
export type VersionVector = Readonly<Record<NodeId, number>>;

/** How two version vectors relate. */
export type Causality = 'before' | 'after' | 'equal' | 'concurrent';
