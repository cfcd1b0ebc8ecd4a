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
  return tablePrefixOf(table) + base64url(w.written());
}

// Escaped table prefixes by namespace and name: a process sees few tables and asks for their rows' ids constantly.
const prefixes = new Map<string, Map<string, string>>();
const MAX_CACHED_NAMESPACES = 1_000;

function tablePrefixOf(table: TableRef): string {
  let byName = prefixes.get(table.namespace);
  if (byName === undefined) {
    if (prefixes.size >= MAX_CACHED_NAMESPACES) prefixes.clear();
    byName = new Map();
    prefixes.set(table.namespace, byName);
  }
  let prefix = byName.get(table.name);
  if (prefix === undefined) {
    prefix = `${escapeName(table.namespace)}.${escapeName(table.name)}/`;
    // Bounded, so names from untrusted input cannot grow it without limit.
    if (byName.size >= MAX_CACHED_NAMESPACES) byName.clear();
    byName.set(table.name, prefix);
  }
  return prefix;
}

function escapeName(name: string): string {
  return name.replace(/[%./]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Unpadded base64url, as `Buffer#toString('base64url')` gives it. Keys encode to a few bytes, where building the
 * string here costs about half of creating a Buffer view and crossing into the native encoder.
 */
function base64url(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n > 48) return Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('base64url');
  let out = '';
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += BASE64URL[v >> 18]! + BASE64URL[(v >> 12) & 63]! + BASE64URL[(v >> 6) & 63]! + BASE64URL[v & 63]!;
  }
  if (n - i === 1) {
    const v = bytes[i]! << 16;
    out += BASE64URL[v >> 18]! + BASE64URL[(v >> 12) & 63]!;
  } else if (n - i === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += BASE64URL[v >> 18]! + BASE64URL[(v >> 12) & 63]! + BASE64URL[(v >> 6) & 63]!;
  }
  return out;
}
