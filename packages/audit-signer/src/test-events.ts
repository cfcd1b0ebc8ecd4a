import type { AuditRecord, ChangeEvent } from '@worker-sync/core';

/** A deterministic change event for tests: row `id` of `public.orders`, at position `pos`, index `index`. */
export function orderEvent(id: number, pos = id, index = 0, email = `user${id}@example.com`): ChangeEvent {
  return {
    op: 'update',
    table: { namespace: 'public', name: 'orders' },
    key: [['id', BigInt(id)]],
    after: { id: BigInt(id), email, total: { kind: 'decimal', value: '19.99' } },
    position: String(pos).padStart(16, '0'),
    tx: { id: `tx${pos}`, commitTimeMicros: 1_700_000_000_000_000n + BigInt(pos), index, last: true },
    origin: 'node-a',
    sourceId: 'pg-main',
    version: { vv: { 'node-a': id }, hlc: 1_000_000n + BigInt(id), writer: 'node-a', deleted: false },
  };
}

/** A captured-change audit record recorded by node-a. */
export function capturedRecord(id: number, pos = id, index = 0): AuditRecord {
  return { kind: 'captured', node: 'node-a', event: orderEvent(id, pos, index) };
}
