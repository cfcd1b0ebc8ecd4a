import { MappingError } from '../errors.js';
import type { Row, Value } from '../model/value.js';
import { valueTypeOf } from '../model/value-type.js';
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';

/** One byte before every value says what follows; the numbers are part of the wire format and never change. */
const Tag = {
  null: 0,
  false: 1,
  true: 2,
  int64: 3,
  float64: 4,
  text: 5,
  bytes: 6,
  decimal: 7,
  date: 8,
  time: 9,
  timeWithOffset: 10,
  timestamp: 11,
  timestampZoned: 12,
  uuid: 13,
  uuidText: 14,
  json: 15,
  array: 16,
  document: 17,
} as const;

/** Deepest nesting of arrays and documents accepted (MongoDB allows 100); bounds recursion on hostile input. */
export const MAX_VALUE_DEPTH = 200;

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Writes one value with its tag. With `canonical`, document fields are written in sorted order so equal values
 * (see `valuesEqual`) give equal bytes; otherwise fields keep their order.
 */
export function writeValue(w: ByteWriter, value: Value, canonical: boolean, depth = 0): void {
  switch (valueTypeOf(value)) {
    case 'null':
      w.byte(Tag.null);
      return;
    case 'boolean':
      w.byte(value ? Tag.true : Tag.false);
      return;
    case 'int64':
      w.byte(Tag.int64);
      w.zigzag64(value as bigint, 'int64 value');
      return;
    case 'float64':
      w.byte(Tag.float64);
      w.float64(value as number);
      return;
    case 'text':
      w.byte(Tag.text);
      w.string(value as string, 'text value');
      return;
    case 'bytes':
      w.byte(Tag.bytes);
      w.bytes(value as Uint8Array);
      return;
    default:
      writeTagged(w, value as Exclude<Value, null | boolean | bigint | number | string | Uint8Array>, canonical, depth);
      return;
  }
}

function writeTagged(
  w: ByteWriter,
  value: Exclude<Value, null | boolean | bigint | number | string | Uint8Array>,
  canonical: boolean,
  depth: number,
): void {
  switch (value.kind) {
    case 'decimal':
    case 'date':
    case 'json':
      w.byte(Tag[value.kind]);
      w.string(value.value, `${value.kind} value`);
      return;
    case 'uuid':
      if (CANONICAL_UUID.test(value.value)) {
        w.byte(Tag.uuid);
        w.raw(hexToBytes(value.value.replaceAll('-', '')));
        return;
      }
      // A non-canonical spelling is kept as written: exact round trip beats compactness.
      w.byte(Tag.uuidText);
      w.string(value.value, 'uuid value');
      return;
    case 'time':
      if (value.offsetSeconds === undefined) {
        w.byte(Tag.time);
      } else {
        if (!Number.isSafeInteger(value.offsetSeconds)) {
          throw new MappingError(`time offset ${value.offsetSeconds} is not a whole number of seconds`, {
            type: 'time',
          });
        }
        w.byte(Tag.timeWithOffset);
        w.zigzag64(BigInt(value.offsetSeconds), 'time offset');
      }
      w.zigzag64(value.micros, 'time micros');
      return;
    case 'timestamp':
      w.byte(value.zoned ? Tag.timestampZoned : Tag.timestamp);
      w.zigzag64(value.micros, 'timestamp micros');
      return;
    case 'array':
      checkDepth(depth);
      w.byte(Tag.array);
      w.varuint(value.items.length);
      for (const item of value.items) writeValue(w, item, canonical, depth + 1);
      return;
    case 'document':
      checkDepth(depth);
      w.byte(Tag.document);
      writeFields(w, value.fields, canonical, depth + 1);
      return;
  }
}

/** Writes named values (a row or a document): count, then name and value pairs, sorted by name when canonical. */
export function writeFields(w: ByteWriter, fields: Row, canonical: boolean, depth = 0): void {
  const names = Object.keys(fields);
  if (canonical) names.sort(compareCodeUnits);
  w.varuint(names.length);
  for (const name of names) {
    w.string(name, 'field name');
    writeValue(w, fields[name]!, canonical, depth);
  }
}

/** Reads one value written by {@link writeValue}. */
export function readValue(r: ByteReader, depth = 0): Value {
  const at = r.offset;
  const tag = r.byte('a value tag');
  switch (tag) {
    case Tag.null:
      return null;
    case Tag.false:
      return false;
    case Tag.true:
      return true;
    case Tag.int64:
      return int64(r);
    case Tag.float64:
      return r.float64('a float64');
    case Tag.text:
      return r.string('text');
    case Tag.bytes:
      return r.blob('bytes');
    case Tag.decimal:
      return { kind: 'decimal', value: r.string('a decimal') };
    case Tag.date:
      return { kind: 'date', value: r.string('a date') };
    case Tag.json:
      return { kind: 'json', value: r.string('json text') };
    case Tag.uuid:
      return { kind: 'uuid', value: readUuid(r) };
    case Tag.uuidText:
      return { kind: 'uuid', value: r.string('a uuid') };
    case Tag.time:
      return { kind: 'time', micros: int64(r) };
    case Tag.timeWithOffset: {
      const offset = int64(r);
      if (offset < BigInt(Number.MIN_SAFE_INTEGER) || offset > BigInt(Number.MAX_SAFE_INTEGER)) {
        r.fail('a time offset within ±2^53 seconds', at + 1);
      }
      const micros = int64(r);
      return { kind: 'time', micros, offsetSeconds: Number(offset) };
    }
    case Tag.timestamp:
    case Tag.timestampZoned:
      return { kind: 'timestamp', micros: int64(r), zoned: tag === Tag.timestampZoned };
    case Tag.array: {
      if (depth >= MAX_VALUE_DEPTH) r.fail(`nesting no deeper than ${MAX_VALUE_DEPTH}`, at);
      const n = r.count('array length');
      const items: Value[] = [];
      for (let i = 0; i < n; i++) items.push(readValue(r, depth + 1));
      return { kind: 'array', items };
    }
    case Tag.document:
      if (depth >= MAX_VALUE_DEPTH) r.fail(`nesting no deeper than ${MAX_VALUE_DEPTH}`, at);
      return { kind: 'document', fields: readFields(r, depth + 1) };
    default:
      return r.fail(`a value tag 0–17, got ${tag}`, at);
  }
}

/** Reads what {@link writeFields} wrote; a repeated name is corruption (objects cannot hold it twice). */
export function readFields(r: ByteReader, depth = 0): Row {
  const n = r.count('field count', 2);
  const fields: Record<string, Value> = {};
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const name = r.string('a field name');
    if (Object.hasOwn(fields, name)) r.fail(`distinct field names, got "${name}" twice`, at);
    // defineProperty keeps a field named __proto__ an ordinary field.
    Object.defineProperty(fields, name, {
      value: readValue(r, depth),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return fields;
}

/** Orders strings by UTF-16 code units (RFC 8785 and JS `<`), never by locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const INT64_MIN = -(1n << 63n);
const INT64_LIMIT = 1n << 63n;

function int64(r: ByteReader): bigint {
  const at = r.offset;
  const value = r.zigzag64('an int64');
  if (value < INT64_MIN || value >= INT64_LIMIT) r.fail('an int64 within range', at);
  return value;
}

function checkDepth(depth: number): void {
  if (depth >= MAX_VALUE_DEPTH) throw new MappingError(`value nests deeper than ${MAX_VALUE_DEPTH} levels`);
}

function readUuid(r: ByteReader): string {
  let hex = '';
  for (let i = 0; i < 16; i++) {
    hex += r.byte('uuid bytes').toString(16).padStart(2, '0');
    if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-';
  }
  return hex;
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
