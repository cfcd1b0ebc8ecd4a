import { MappingError } from '../errors.js';
import type { RowKey } from '../model/change-event.js';
import type { Row, Value } from '../model/value.js';
import type { RouteConfig } from './mapping-config.js';

/** MongoDB's primary key field. */
export const DOCUMENT_ID = '_id';

type KeyMapping = RouteConfig['key'];

/** Maps a key (already renamed and transformed) to the target's key shape. `table` names the target in errors. */
export function mapKeyShape(key: RowKey, mapping: KeyMapping, table: string): RowKey {
  if (key.length === 0 || mapping.mode === 'columns') return key;
  if (mapping.mode === 'to-document-id') return [[DOCUMENT_ID, documentId(key)]];
  const id = key.length === 1 && key[0]![0] === DOCUMENT_ID ? key[0]![1] : undefined;
  if (id === undefined) {
    throw new MappingError(`${table}: from-document-id expects a key of ${DOCUMENT_ID} only`, {
      table,
      column: DOCUMENT_ID,
    });
  }
  return keyFromDocumentId(id, mapping.columns, table);
}

/** Moves the key between the row's columns and `_id`, so the row agrees with the mapped key. */
export function mapRowKeyShape(row: Row, mappedKey: RowKey, sourceKey: RowKey, mapping: KeyMapping): Row {
  if (mapping.mode === 'columns' || mappedKey.length === 0) return row;
  const out: Record<string, Value> = { ...row };
  for (const [column] of sourceKey) delete out[column];
  for (const [column, value] of mappedKey) out[column] = value;
  return out;
}

function documentId(key: RowKey): Value {
  if (key.length === 1) return key[0]![1];
  const fields: Record<string, Value> = {};
  for (const [column, value] of key) fields[column] = value;
  return { kind: 'document', fields };
}

function keyFromDocumentId(id: Value, columns: readonly string[], table: string): RowKey {
  if (columns.length === 1) return [[columns[0]!, id]];
  if (id === null || typeof id !== 'object' || !('kind' in id) || id.kind !== 'document') {
    throw new MappingError(`${table}: ${DOCUMENT_ID} must be a document with fields ${columns.join(', ')}`, {
      table,
      column: DOCUMENT_ID,
    });
  }
  return columns.map((column) => {
    const value = id.fields[column];
    if (value === undefined) {
      throw new MappingError(`${table}: ${DOCUMENT_ID} lacks key field ${column}`, { table, column });
    }
    return [column, value] as const;
  });
}
