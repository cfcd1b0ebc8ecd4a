import type { ChangeBatch, NodeId, RowKey, RowVersion, TableRef } from '../model/change-event.js';
import type { Row } from '../model/value.js';

/** The row a person settled a parked conflict on, with a version that dominates both sides. */
export interface SettledRow {
  readonly row: Row | null;
  readonly version: RowVersion;
}

/**
 * The batch that carries a manual decision out of `node`: one change of the parked row to the settled state, from a
 * stream of its own (`manual`) whose positions order by the decision's HLC, then by `sequence` within the node.
 */
export function decisionBatch(
  node: NodeId,
  conflictId: string,
  parked: { readonly table: TableRef; readonly key: RowKey },
  settled: SettledRow,
  sequence: number,
): ChangeBatch {
  const position = `${String(settled.version.hlc).padStart(20, '0')}.${String(sequence).padStart(6, '0')}`;
  return {
    id: `${node}/manual/${position}/0`,
    origin: node,
    sourceId: 'manual',
    position,
    events: [
      {
        op: settled.row === null ? 'delete' : 'update',
        table: parked.table,
        key: parked.key,
        ...(settled.row === null ? {} : { after: settled.row }),
        position,
        tx: { id: `manual:${conflictId}`, commitTimeMicros: BigInt(Date.now()) * 1000n, index: 0, last: true },
        origin: node,
        sourceId: 'manual',
        version: settled.version,
      },
    ],
  };
}
