import type { ChangeEvent, NodeId } from '../model/change-event.js';

/** One entry for the audit log: a change this node captured from its own log, or applied from another node. */
export interface AuditRecord {
  readonly kind: 'captured' | 'applied';
  /** The node that recorded it. */
  readonly node: NodeId;
  readonly event: ChangeEvent;
}

/**
 * Where the engine records every captured and applied change. `@worker-sync/audit-signer` implements it with a
 * signed Merkle log; appends must be idempotent per (kind, origin, sourceId, position, tx index).
 */
export interface AuditSink {
  append(records: readonly AuditRecord[]): Promise<void>;
}
