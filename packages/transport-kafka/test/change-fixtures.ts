import type { ChangeBatch, ChangeEvent, NodeId } from '@worker-sync/core';

/** The table every fixture change touches. */
export const ITEMS = { namespace: 'shop', name: 'items' } as const;

/**
 * A batch of `rows.length` updates from `origin`: row `rows[i]` gets `seq` as its value and version counter, so a
 * consumer can check per-row order (`seq` strictly increasing per row) and completeness.
 */
export function fixtureBatch(origin: NodeId, seq: number, rows: readonly number[]): ChangeBatch {
  const position = seq.toString().padStart(12, '0');
  const events: ChangeEvent[] = rows.map((row, index) => ({
    op: 'update',
    table: ITEMS,
    key: [['id', BigInt(row)]],
    after: { id: BigInt(row), seq: BigInt(seq), note: `row ${row} at ${seq}` },
    position,
    tx: { id: `tx-${seq}`, commitTimeMicros: BigInt(seq) * 1000n, index, last: index === rows.length - 1 },
    origin,
    sourceId: 'memory',
    version: { vv: { [origin]: seq }, hlc: BigInt(seq) << 16n, writer: origin, deleted: false },
  }));
  return { id: `${origin}/memory/${position}/0`, origin, sourceId: 'memory', events, position };
}

/** The row id and sequence number of each change of a delivered batch. */
export function rowsOf(batch: ChangeBatch): { row: number; seq: number }[] {
  return batch.events.map((e) => ({ row: Number(e.key[0]?.[1]), seq: Number((e.after as { seq: bigint }).seq) }));
}
