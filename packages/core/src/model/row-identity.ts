import { ByteWriter } from '../codec/byte-writer.js';
import { writeValue } from '../codec/value-codec.js';
import type { RowKey, TableRef } from './change-event.js';

// Reused by every call: identities are computed synchronously and only the base64url text leaves the function.
const scratch = new ByteWriter();

/**
 * A row's identity as one string, the same on every machine: `namespace.name/` followed by the base64url of the
 * key's canonical encoding (column names and typed values, in key order). Dots, slashes and percent signs in the
 * table names are percent-escaped, so different (table, key) pairs never give the same string. Used as the row id
 * in checkpoint stores and as the partition key of transports.
 *
 * @example
 * ```ts
 * rowIdentity({ namespace: 'public', name: 'orders' }, [['id', 42n]]); // 'public.orders/AQJpZANU'
 * ```
 */
export function rowIdentity(table: TableRef, key: RowKey): string {
  const w = scratch.reset();
  w.varuint(key.length);
  for (const [column, value] of key) {
    w.string(column, 'key column name');
    writeValue(w, value, true);
  }
  const bytes = w.written();
  const encoded = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url');
  return `${escapeName(table.namespace)}.${escapeName(table.name)}/${encoded}`;
}

function escapeName(name: string): string {
  return name.replace(/[%./]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
