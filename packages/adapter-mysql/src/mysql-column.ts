/**
 * A column as both the sink (from INFORMATION_SCHEMA) and the source (from its schema history) describe it: the
 * server's `COLUMN_TYPE` text plus the few facts that text does not carry.
 */
export interface MySqlColumnDefinition {
  readonly name: string;
  /** `COLUMN_TYPE` as INFORMATION_SCHEMA spells it, e.g. `bigint(20) unsigned`, `decimal(10,2)`, `enum('a','b')`. */
  readonly columnType: string;
  /** Character set of a text column; null for binary and non-text columns. */
  readonly charset: string | null;
  /** True for JSON columns (MariaDB stores JSON as LONGTEXT with a `json_valid` check, MySQL has a JSON type). */
  readonly json?: boolean;
  readonly nullable?: boolean;
}

/** The family a column belongs to for value mapping. */
export type MySqlTypeFamily =
  | 'boolean'
  | 'integer'
  | 'bit'
  | 'year'
  | 'decimal'
  | 'float'
  | 'double'
  | 'text'
  | 'enum'
  | 'set'
  | 'binary'
  | 'date'
  | 'datetime'
  | 'timestamp'
  | 'time'
  | 'json'
  | 'uuid'
  | 'inet'
  | 'unsupported';

/** A parsed column type. */
export interface MySqlColumnType {
  readonly family: MySqlTypeFamily;
  /** The base type name, lower case (`bigint`, `varchar`, `datetime`, …). */
  readonly base: string;
  readonly unsigned: boolean;
  /** Integer width in bytes for integer types (1, 2, 3, 4, 8). */
  readonly bytes?: number;
  /** DECIMAL precision and scale. */
  readonly precision?: number;
  readonly scale?: number;
  /** Fractional-second digits of temporal types (0–6). */
  readonly fsp?: number;
  /** Declared length of CHAR/BINARY/VARCHAR/VARBINARY/BIT. */
  readonly length?: number;
  /** ENUM or SET members. */
  readonly members?: readonly string[];
}

const INTEGER_BYTES: Readonly<Record<string, number>> = {
  tinyint: 1,
  smallint: 2,
  mediumint: 3,
  int: 4,
  integer: 4,
  bigint: 8,
};

const TEXT_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext']);
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

/**
 * Parses a `COLUMN_TYPE` string. `charset` tells text from binary where the type name alone does not (a CHAR column
 * with the binary character set holds bytes).
 */
export function parseColumnType(column: MySqlColumnDefinition): MySqlColumnType {
  const text = column.columnType.trim().toLowerCase();
  const match = /^([a-z0-9_]+)\s*(?:\((.*)\))?\s*(.*)$/s.exec(text);
  const base = match?.[1] ?? text;
  const args = match?.[2];
  const rest = match?.[3] ?? '';
  const unsigned = /\bunsigned\b/.test(rest);
  const numbers = args === undefined ? [] : args.split(',').map((part) => Number.parseInt(part.trim(), 10));
  if (column.json === true || base === 'json') return { family: 'json', base, unsigned };
  const bytes = INTEGER_BYTES[base];
  if (bytes !== undefined) {
    const family = base === 'tinyint' && numbers[0] === 1 && !unsigned ? 'boolean' : 'integer';
    return { family, base, unsigned, bytes };
  }
  if (base === 'bool' || base === 'boolean') return { family: 'boolean', base: 'tinyint', unsigned: false, bytes: 1 };
  if (base === 'decimal' || base === 'numeric' || base === 'dec' || base === 'fixed') {
    return { family: 'decimal', base: 'decimal', unsigned, precision: numbers[0] ?? 10, scale: numbers[1] ?? 0 };
  }
  if (base === 'float') return { family: 'float', base, unsigned };
  if (base === 'double' || base === 'real') return { family: 'double', base: 'double', unsigned };
  if (base === 'bit') return { family: 'bit', base, unsigned: false, length: numbers[0] ?? 1 };
  if (base === 'year') return { family: 'year', base, unsigned: false };
  if (base === 'date') return { family: 'date', base, unsigned: false };
  if (base === 'datetime' || base === 'timestamp' || base === 'time') {
    return { family: base, base, unsigned: false, fsp: numbers[0] ?? 0 };
  }
  if (base === 'enum' || base === 'set') {
    return { family: base, base, unsigned: false, members: parseMembers(args ?? '') };
  }
  if (base === 'uuid') return { family: 'uuid', base, unsigned: false };
  if (base === 'inet4' || base === 'inet6') return { family: 'inet', base, unsigned: false };
  if (TEXT_TYPES.has(base)) {
    const isBinary = column.charset === null || column.charset === 'binary';
    return { family: isBinary ? 'binary' : 'text', base, unsigned: false, length: numbers[0] };
  }
  if (BINARY_TYPES.has(base)) return { family: 'binary', base, unsigned: false, length: numbers[0] };
  return { family: 'unsupported', base, unsigned };
}

/** Splits `'a','b''c'` into `['a', "b'c"]`. */
function parseMembers(args: string): string[] {
  const members: string[] = [];
  const pattern = /'((?:[^']|'')*)'/g;
  for (let found = pattern.exec(args); found !== null; found = pattern.exec(args)) {
    members.push(found[1]!.replace(/''/g, "'"));
  }
  return members;
}
