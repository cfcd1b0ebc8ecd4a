import type { RowKey, TableRef } from '../model/change-event.js';
import { rowIdentity } from '../model/row-identity.js';

/** The row id last computed for a key array, with the table it was computed for. */
interface Memo {
  readonly namespace: string;
  readonly name: string;
  readonly id: string;
}

const memo = new WeakMap<RowKey, Memo>();

/**
 * `rowIdentity(table, key)`, computed once per key array: a change's key array travels unchanged through the
 * engine (the captured change, the stamped event, the view, the decider share it), and each stage asks for the
 * same id. Keys are immutable values, so the id of an array never changes; the table is compared by name, so a
 * key array reused for another table gets its own id.
 */
export function rowIdOf(table: TableRef, key: RowKey): string {
  const known = memo.get(key);
  if (known !== undefined && known.namespace === table.namespace && known.name === table.name) return known.id;
  const id = rowIdentity(table, key);
  memo.set(key, { namespace: table.namespace, name: table.name, id });
  return id;
}
