import { formatPgArray } from './postgres-array.js';

/**
 * A `text[]` parameter for the sink's statements. Elements without quotes or backslashes go as an array literal,
 * joined in one step. A list holding any quote or backslash goes in PostgreSQL's binary array format (what
 * `array_recv` reads: a header, then each element's byte length and UTF-8 bytes, -1 for NULL), which the driver
 * sends as is for a Buffer: the shadow rows' keys, version vectors and column lists are JSON texts full of quotes,
 * and escaping each quote for a literal cost several times more than copying the bytes.
 *
 * Only for parameters the statement casts to `text[]`: the element type is part of the binary format.
 */
export function textArrayParameter(items: readonly (string | null)[]): string | Buffer {
  for (const item of items) {
    if (item !== null && (item.includes('"') || item.includes('\\'))) return binaryTextArray(items);
  }
  return formatPgArray(items);
}

const TEXT_OID = 25;
/** ndim, flags (1 when an element is NULL), element type, then length and lower bound of the one dimension. */
const HEADER_BYTES = 20;

function binaryTextArray(items: readonly (string | null)[]): Buffer {
  let size = HEADER_BYTES + 4 * items.length;
  let nulls = 0;
  for (const item of items) {
    if (item === null) nulls = 1;
    else size += Buffer.byteLength(item, 'utf8');
  }
  const buffer = Buffer.allocUnsafe(size);
  putInt32(buffer, 1, 0);
  putInt32(buffer, nulls, 4);
  putInt32(buffer, TEXT_OID, 8);
  putInt32(buffer, items.length, 12);
  putInt32(buffer, 1, 16);
  let at = HEADER_BYTES;
  for (const item of items) {
    const length = item === null ? -1 : item.length === 0 ? 0 : buffer.write(item, at + 4, 'utf8');
    putInt32(buffer, length, at);
    at += 4 + Math.max(length, 0);
  }
  return buffer;
}

/** A big-endian int32, written without the bounds and argument checks of `writeInt32BE` (the size is exact). */
function putInt32(buffer: Buffer, value: number, at: number): void {
  buffer[at] = value >>> 24;
  buffer[at + 1] = value >>> 16;
  buffer[at + 2] = value >>> 8;
  buffer[at + 3] = value;
}
