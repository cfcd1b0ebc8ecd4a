import { canonicalJson, MappingError, type Value } from '@worker-sync/core';

import type { MySqlColumnDefinition, MySqlColumnType } from './mysql-column.js';
import { parseColumnType } from './mysql-column.js';
import {
  exceedsFractionDigits,
  formatDateTimeMicros,
  formatTimeOfDay,
  isValidDate,
  parseDateTimeMicros,
  parseTimeMicros,
} from './mysql-temporal.js';

/** How ambiguous MySQL types map to neutral values; part of the source and sink configuration. */
export interface MySqlTypeOptions {
  /** Columns (`table.column` or `database.table.column`) holding UUIDs as CHAR(36) or BINARY(16). */
  readonly uuidColumns: ReadonlySet<string>;
  /** `int64`: BIGINT UNSIGNED values above 2^63-1 are a MappingError; `decimal`: the column maps to decimal. */
  readonly bigintUnsigned: 'int64' | 'decimal';
  /** `boolean` (default): TINYINT(1) is a boolean; `int64`: an integer like any TINYINT. */
  readonly tinyint1: 'boolean' | 'int64';
}

/** The default {@link MySqlTypeOptions}. */
export const DEFAULT_TYPE_OPTIONS: MySqlTypeOptions = {
  uuidColumns: new Set(),
  bigintUnsigned: 'int64',
  tinyint1: 'boolean',
};

/** A column resolved for value mapping: its definition, parsed type and neutral role. */
export interface MappedColumn {
  readonly definition: MySqlColumnDefinition;
  readonly type: MySqlColumnType;
  /** The neutral type the column maps to. */
  readonly role: ColumnRole;
  /** `database.table`, for error messages. */
  readonly table: string;
}

type ColumnRole =
  | 'boolean'
  | 'int64'
  | 'decimal'
  | 'float32'
  | 'float64'
  | 'text'
  | 'bytes'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'datetime'
  | 'json'
  | 'uuid-text'
  | 'uuid-binary'
  | 'uuid-native'
  | 'unsupported';

const INT64_MAX = (1n << 63n) - 1n;
const MICROS_PER_DAY = 86_400_000_000n;

/** Resolves a column of `database.table` for value mapping under the given options. */
export function mapColumn(
  table: { namespace: string; name: string },
  definition: MySqlColumnDefinition,
  options: MySqlTypeOptions,
): MappedColumn {
  const type = parseColumnType(definition);
  const qualified = `${table.namespace}.${table.name}`;
  const isUuid =
    options.uuidColumns.has(`${table.name}.${definition.name}`) ||
    options.uuidColumns.has(`${qualified}.${definition.name}`);
  return { definition, type, role: roleOf(type, isUuid, options), table: qualified };
}

function roleOf(type: MySqlColumnType, isUuid: boolean, options: MySqlTypeOptions): ColumnRole {
  switch (type.family) {
    case 'boolean':
      return options.tinyint1 === 'boolean' ? 'boolean' : 'int64';
    case 'integer':
      return type.bytes === 8 && type.unsigned && options.bigintUnsigned === 'decimal' ? 'decimal' : 'int64';
    case 'bit':
      return type.length === 1 ? 'boolean' : 'int64';
    case 'year':
      return 'int64';
    case 'decimal':
      return 'decimal';
    case 'float':
      return 'float32';
    case 'double':
      return 'float64';
    case 'text':
      return isUuid ? 'uuid-text' : 'text';
    case 'enum':
    case 'set':
    case 'inet':
      return 'text';
    case 'binary':
      return isUuid ? 'uuid-binary' : 'bytes';
    case 'uuid':
      return 'uuid-native';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'datetime':
      return 'datetime';
    case 'timestamp':
      return 'timestamp';
    case 'json':
      return 'json';
    default:
      return 'unsupported';
  }
}

function mappingError(column: MappedColumn, detail: string): MappingError {
  return new MappingError(`${column.table}.${column.definition.name} (${column.definition.columnType}): ${detail}`, {
    table: column.table,
    column: column.definition.name,
    type: column.definition.columnType,
  });
}

/**
 * Converts a value as mysql2 (with `dateStrings`, `jsonStrings`, big numbers as strings) or the binlog decoder
 * returns it into the neutral model. Throws a MappingError naming table, column and type when it cannot.
 */
export function fromMySql(raw: unknown, column: MappedColumn): Value {
  if (raw === null || raw === undefined) return null;
  switch (column.role) {
    case 'boolean':
      return bitsToBigint(raw) !== 0n;
    case 'int64':
      return toInt64(raw, column);
    case 'decimal':
      return { kind: 'decimal', value: String(raw) };
    case 'float32':
      return shortestFloat32(Number(raw));
    case 'float64':
      return Number(raw);
    case 'text':
      return Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
    case 'bytes':
      return new Uint8Array(raw as Uint8Array);
    case 'date':
      if (!isValidDate(String(raw))) throw mappingError(column, `date ${String(raw)} has no neutral form`);
      return { kind: 'date', value: String(raw) };
    case 'time':
      return timeFrom(String(raw), column);
    case 'datetime':
    case 'timestamp':
      return timestampFrom(String(raw), column);
    case 'json':
      return { kind: 'json', value: canonicalJson(Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw)) };
    case 'uuid-text':
    case 'uuid-native':
      return { kind: 'uuid', value: String(raw).toLowerCase() };
    case 'uuid-binary':
      return { kind: 'uuid', value: uuidFromBytes(raw as Uint8Array, column) };
    default:
      throw mappingError(column, 'type has no neutral mapping');
  }
}

function toInt64(raw: unknown, column: MappedColumn): bigint {
  const value = typeof raw === 'bigint' ? raw : Buffer.isBuffer(raw) ? bitsToBigint(raw) : BigInt(String(raw));
  if (value > INT64_MAX) {
    throw mappingError(column, `value above the int64 range; configure bigintUnsigned: 'decimal' for this column`);
  }
  return value;
}

function bitsToBigint(raw: unknown): bigint {
  if (Buffer.isBuffer(raw) || raw instanceof Uint8Array) {
    let value = 0n;
    for (const byte of raw) value = (value << 8n) | BigInt(byte);
    return value;
  }
  return BigInt(String(raw));
}

/** The shortest decimal that round-trips through float32, as a double: what the FLOAT column holds. */
export function shortestFloat32(value: number): number {
  if (!Number.isFinite(value)) return value;
  const single = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number.parseFloat(single.toPrecision(digits));
    if (Math.fround(candidate) === single) return candidate;
  }
  return single;
}

function timeFrom(text: string, column: MappedColumn): Value {
  const micros = parseTimeMicros(text);
  if (micros === undefined || micros < 0n || micros >= MICROS_PER_DAY) {
    throw mappingError(column, `time ${text} is not a time of day`);
  }
  return { kind: 'time', micros };
}

function timestampFrom(text: string, column: MappedColumn): Value {
  const micros = parseDateTimeMicros(text);
  if (micros === undefined) throw mappingError(column, `date-time ${text} has no neutral form`);
  return { kind: 'timestamp', micros, zoned: column.role === 'timestamp' };
}

function uuidFromBytes(bytes: Uint8Array, column: MappedColumn): string {
  if (bytes.length !== 16) throw mappingError(column, `expected 16 bytes for a UUID, got ${bytes.length}`);
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Converts a neutral value into the parameter mysql2 binds for the column. Range, scale and precision are checked
 * here so that nothing is silently rounded or truncated by the server.
 */
export function toMySql(value: Value, column: MappedColumn): unknown {
  if (value === null) return null;
  switch (column.role) {
    case 'boolean':
    case 'int64':
      return integerParam(value, column);
    case 'decimal':
      return decimalParam(value, column);
    case 'float32':
    case 'float64':
      return floatParam(value, column);
    case 'text':
      if (typeof value === 'string') return value;
      if (typeof value === 'object' && !(value instanceof Uint8Array) && value.kind === 'uuid') return value.value;
      break;
    case 'bytes':
      if (value instanceof Uint8Array) return Buffer.from(value);
      break;
    case 'date':
      if (typeof value === 'object' && !(value instanceof Uint8Array) && value.kind === 'date') return value.value;
      break;
    case 'time':
      return timeParam(value, column);
    case 'datetime':
    case 'timestamp':
      return timestampParam(value, column);
    case 'json':
      if (typeof value === 'object' && !(value instanceof Uint8Array) && value.kind === 'json') return value.value;
      break;
    case 'uuid-text':
    case 'uuid-native':
      return uuidText(value, column);
    case 'uuid-binary':
      return Buffer.from(uuidText(value, column).replace(/-/g, ''), 'hex');
    default:
      throw mappingError(column, 'type has no neutral mapping');
  }
  throw mappingError(column, `cannot store a ${describe(value)} value`);
}

function describe(value: Value): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'object') return value.kind;
  return typeof value === 'bigint' ? 'int64' : typeof value;
}

function integerParam(value: Value, column: MappedColumn): string | number {
  let int: bigint;
  if (typeof value === 'boolean') int = value ? 1n : 0n;
  else if (typeof value === 'bigint') int = value;
  else if (typeof value === 'number' && Number.isInteger(value)) int = BigInt(value);
  else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && value.kind === 'decimal') {
    if (!/^-?\d+$/.test(value.value)) throw mappingError(column, `decimal ${value.value} is not an integer`);
    int = BigInt(value.value);
  } else throw mappingError(column, `cannot store a ${describe(value)} value`);
  const [min, max] = integerRange(column.type);
  if (int < min || int > max) throw mappingError(column, `integer out of range [${min}, ${max}]`);
  return column.type.family === 'bit' ? Number(int) : int.toString();
}

/** Integer ranges per column type, computed once: every integer value the sink writes is checked against one. */
const integerRanges = new WeakMap<MySqlColumnType, readonly [bigint, bigint]>();

function integerRange(type: MySqlColumnType): readonly [bigint, bigint] {
  let range = integerRanges.get(type);
  if (range === undefined) {
    range = computeIntegerRange(type);
    integerRanges.set(type, range);
  }
  return range;
}

function computeIntegerRange(type: MySqlColumnType): readonly [bigint, bigint] {
  if (type.family === 'bit') return [0n, (1n << BigInt(type.length ?? 1)) - 1n];
  if (type.family === 'year') return [1901n, 2155n];
  const bits = BigInt((type.bytes ?? 8) * 8);
  return type.unsigned ? [0n, (1n << bits) - 1n] : [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
}

function decimalParam(value: Value, column: MappedColumn): string {
  let text: string;
  if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && value.kind === 'decimal') {
    text = value.value;
  } else throw mappingError(column, `cannot store a ${describe(value)} value`);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw mappingError(column, `decimal ${text} is not a plain decimal`);
  if (column.type.family === 'integer') {
    if (match[3] !== undefined && /[1-9]/.test(match[3])) throw mappingError(column, `decimal ${text} has a fraction`);
    const int = BigInt(`${match[1]}${match[2]}`);
    if (int < 0n || int >= 1n << 64n) throw mappingError(column, 'integer out of the BIGINT UNSIGNED range');
    return int.toString();
  }
  const precision = column.type.precision ?? 10;
  const scale = column.type.scale ?? 0;
  const fraction = match[3] ?? '';
  if (/[1-9]/.test(fraction.slice(scale)))
    throw mappingError(column, `decimal ${text} has more than ${scale} digits of scale`);
  const integerDigits = match[2]!.replace(/^0+(?=\d)/, '');
  if (integerDigits !== '0' && integerDigits.length > precision - scale) {
    throw mappingError(column, `decimal ${text} exceeds precision ${precision}`);
  }
  return text;
}

function floatParam(value: Value, column: MappedColumn): number {
  let number: number;
  if (typeof value === 'number') number = value;
  else if (typeof value === 'bigint' && BigInt(Number(value)) === value) number = Number(value);
  else throw mappingError(column, `cannot store a ${describe(value)} value exactly`);
  if (!Number.isFinite(number)) throw mappingError(column, `${number} cannot be stored (MySQL has no NaN or infinity)`);
  if (column.role === 'float32' && Math.fround(number) !== number && shortestFloat32(number) !== number) {
    throw mappingError(column, `${number} is not exactly representable in a FLOAT column`);
  }
  return number;
}

function timeParam(value: Value, column: MappedColumn): string {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array || value.kind !== 'time') {
    throw mappingError(column, `cannot store a ${describe(value)} value`);
  }
  if (value.offsetSeconds !== undefined)
    throw mappingError(column, 'TIME has no time zone; a zoned time cannot be stored');
  if (exceedsFractionDigits(value.micros, column.type.fsp ?? 0)) {
    throw mappingError(column, `time has more fractional digits than TIME(${column.type.fsp ?? 0})`);
  }
  return formatTimeOfDay(value.micros);
}

function timestampParam(value: Value, column: MappedColumn): string {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array || value.kind !== 'timestamp') {
    throw mappingError(column, `cannot store a ${describe(value)} value`);
  }
  if (exceedsFractionDigits(value.micros, column.type.fsp ?? 0)) {
    throw mappingError(
      column,
      `timestamp has more fractional digits than ${column.type.base}(${column.type.fsp ?? 0})`,
    );
  }
  return formatDateTimeMicros(value.micros);
}

function uuidText(value: Value, column: MappedColumn): string {
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && value.kind === 'uuid') {
    return value.value;
  }
  if (typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    return value.toLowerCase();
  }
  throw mappingError(column, `cannot store a ${describe(value)} value as a UUID`);
}
