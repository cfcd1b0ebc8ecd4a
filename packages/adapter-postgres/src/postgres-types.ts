import { canonicalJson, MappingError, type Value } from '@worker-sync/core';
import { formatPgArray, type PgArrayItem, parsePgArray } from './postgres-array.js';
import { dateFromPg, dateToPg, timeFromPg, timestampFromPg, timestampToPg, timeToPg } from './postgres-temporal.js';

/**
 * PostgreSQL values to and from the neutral model. Both directions go through PostgreSQL's text format, which is
 * what pgoutput sends and what the sink's clients are configured to return (every type parser is the identity), so
 * one mapping serves the log, the snapshot and the sink, and nothing passes through a lossy JS number.
 */

type Scalar =
  | 'bool'
  | 'int'
  | 'float'
  | 'numeric'
  | 'text'
  | 'bytea'
  | 'json'
  | 'date'
  | 'time'
  | 'timetz'
  | 'timestamp'
  | 'timestamptz'
  | 'uuid';

/** Built-in scalar type oids and how each maps. */
const SCALARS = new Map<number, Scalar>([
  [16, 'bool'],
  [20, 'int'],
  [21, 'int'],
  [23, 'int'],
  [26, 'int'],
  [700, 'float'],
  [701, 'float'],
  [1700, 'numeric'],
  [18, 'text'],
  [19, 'text'],
  [25, 'text'],
  [1042, 'text'],
  [1043, 'text'],
  [17, 'bytea'],
  [114, 'json'],
  [3802, 'json'],
  [1082, 'date'],
  [1083, 'time'],
  [1266, 'timetz'],
  [1114, 'timestamp'],
  [1184, 'timestamptz'],
  [2950, 'uuid'],
]);

/** Built-in array type oids to their element type oids. */
const ARRAYS = new Map<number, number>([
  [1000, 16],
  [1005, 21],
  [1007, 23],
  [1016, 20],
  [1028, 26],
  [1021, 700],
  [1022, 701],
  [1231, 1700],
  [1002, 18],
  [1003, 19],
  [1009, 25],
  [1014, 1042],
  [1015, 1043],
  [1001, 17],
  [199, 114],
  [3807, 3802],
  [1182, 1082],
  [1183, 1083],
  [1270, 1266],
  [1115, 1114],
  [1185, 1184],
  [2951, 2950],
]);

/** Where a value comes from, for error messages. */
export interface ValueSite {
  readonly table?: string;
  readonly column?: string;
}

/**
 * Maps one PostgreSQL text value of type `oid` to the neutral model. Types without a neutral counterpart (enums,
 * `inet`, `interval`, user types, their arrays) travel as their exact text form, which any PostgreSQL sink casts back.
 */
export function valueFromPg(text: string | null, oid: number, site: ValueSite = {}): Value {
  if (text === null) return null;
  try {
    const element = ARRAYS.get(oid);
    if (element !== undefined) return arrayFromPg(parsePgArray(text), element);
    return scalarFromPg(text, SCALARS.get(oid));
  } catch (error) {
    if (error instanceof MappingError) throw error;
    throw new MappingError(
      `cannot map a value of type oid ${oid}${where(site)}: ${(error as Error).message}`,
      { ...site, type: String(oid) },
      { cause: error },
    );
  }
}

function arrayFromPg(items: readonly PgArrayItem[], element: number): Value {
  return {
    kind: 'array',
    items: items.map((item) => (Array.isArray(item) ? arrayFromPg(item, element) : valueFromPg(item, element))),
  };
}

function scalarFromPg(text: string, scalar: Scalar | undefined): Value {
  switch (scalar) {
    case 'bool':
      return text === 't' || text === 'true';
    case 'int':
      return BigInt(text);
    case 'float':
      return floatFromPg(text);
    case 'numeric':
      return { kind: 'decimal', value: text };
    case 'bytea':
      return bytesFromPg(text);
    case 'json':
      return { kind: 'json', value: canonicalJson(text) };
    case 'date':
      return { kind: 'date', value: dateFromPg(text) };
    case 'time':
    case 'timetz':
      return { kind: 'time', ...timeFromPg(text, scalar === 'timetz') };
    case 'timestamp':
    case 'timestamptz':
      return {
        kind: 'timestamp',
        micros: timestampFromPg(text, scalar === 'timestamptz'),
        zoned: scalar === 'timestamptz',
      };
    case 'uuid':
      return { kind: 'uuid', value: text.toLowerCase() };
    default:
      return text;
  }
}

function floatFromPg(text: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === 'Infinity') return Number.POSITIVE_INFINITY;
  if (text === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function bytesFromPg(text: string): Uint8Array {
  if (!text.startsWith('\\x')) throw new RangeError('bytea is not in hex output format (set bytea_output = hex)');
  return Uint8Array.from(Buffer.from(text.slice(2), 'hex'));
}

/**
 * Maps a neutral value to PostgreSQL input text (bound as a parameter and cast to the column's type by the
 * statement). Throws a MappingError naming table and column for values PostgreSQL cannot hold.
 */
export function valueToPg(value: Value, site: ValueSite = {}): string | null {
  if (value === null) return null;
  switch (typeof value) {
    case 'boolean':
      return value ? 't' : 'f';
    case 'bigint':
      return value.toString();
    case 'number':
      return floatToPg(value);
    case 'string':
      if (value.includes('\u0000'))
        throw new MappingError(`text contains NUL, which PostgreSQL cannot store${where(site)}`, {
          ...site,
          type: 'text',
        });
      return value;
  }
  if (value instanceof Uint8Array)
    return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  switch (value.kind) {
    case 'decimal':
    case 'uuid':
      return value.value;
    case 'json':
      return value.value;
    case 'date':
      return dateToPg(value.value);
    case 'time':
      return timeToPg(value.micros, value.offsetSeconds);
    case 'timestamp':
      return timestampToPg(value.micros, value.zoned);
    case 'array':
      return formatPgArray(value.items.map((item) => arrayItemToPg(item, site)));
    case 'document':
      throw new MappingError(
        `a nested document has no PostgreSQL column type worker-sync writes${where(site)}; map it to jsonb`,
        {
          ...site,
          type: 'document',
        },
      );
  }
}

function arrayItemToPg(item: Value, site: ValueSite): PgArrayItem {
  if (item !== null && typeof item === 'object' && !(item instanceof Uint8Array) && item.kind === 'array') {
    return item.items.map((inner) => arrayItemToPg(inner, site));
  }
  return valueToPg(item, site);
}

function floatToPg(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  // String() is the shortest text that reads back to the same double, as PostgreSQL's float8 output is.
  return Object.is(value, -0) ? '-0' : String(value);
}

function where(site: ValueSite): string {
  if (site.table === undefined && site.column === undefined) return '';
  return ` (table ${site.table ?? '?'}, column ${site.column ?? '?'})`;
}
