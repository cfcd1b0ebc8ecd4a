/**
 * The neutral value model: every value any of the three engines stores, with no lossy coercion.
 *
 * JavaScript's own types carry the values they represent exactly (`null`, `boolean`, `bigint` for int64,
 * `number` for float64, `string` for text, `Uint8Array` for bytes); everything else is a small tagged object,
 * so a decimal never silently becomes a float and a naive timestamp never silently gains a zone.
 *
 * @example
 * ```ts
 * const row: Row = {
 *   id: 42n,
 *   price: { kind: 'decimal', value: '19.990' },
 *   created: { kind: 'timestamp', micros: 1_700_000_000_000_123n, zoned: true },
 * };
 * ```
 */
export type Value =
  | null
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | DecimalValue
  | DateValue
  | TimeValue
  | TimestampValue
  | UuidValue
  | JsonValue
  | ArrayValue
  | DocumentValue;

/** An exact decimal, kept as its canonical decimal string (`-12.3400`, never exponent notation). */
export interface DecimalValue {
  readonly kind: 'decimal';
  /** Digits with an optional sign and fractional part; trailing zeros are significant (scale). */
  readonly value: string;
}

/** A calendar date without time or zone, as `YYYY-MM-DD` (years outside 0000–9999 use a sign and more digits). */
export interface DateValue {
  readonly kind: 'date';
  readonly value: string;
}

/** A time of day with microsecond precision, as microseconds since midnight, with an optional UTC offset. */
export interface TimeValue {
  readonly kind: 'time';
  readonly micros: bigint;
  /** Offset from UTC in seconds, present only for `time with time zone`. */
  readonly offsetSeconds?: number;
}

/**
 * A point in time with microsecond precision, as microseconds since 1970-01-01T00:00:00.
 * `zoned: true` is an instant (PostgreSQL `timestamptz`, MySQL `TIMESTAMP`, BSON date): `micros` counts from UTC.
 * `zoned: false` is a wall-clock date-time with no zone (PostgreSQL `timestamp`, MySQL `DATETIME`).
 */
export interface TimestampValue {
  readonly kind: 'timestamp';
  readonly micros: bigint;
  readonly zoned: boolean;
}

/** A UUID in canonical lower-case hyphenated form. */
export interface UuidValue {
  readonly kind: 'uuid';
  readonly value: string;
}

/**
 * A JSON document kept as canonical JSON text (object keys sorted, no insignificant whitespace, numbers as written),
 * so that equal documents from different engines compare equal and large integers are never rounded.
 */
export interface JsonValue {
  readonly kind: 'json';
  readonly value: string;
}

/** An ordered list of values (PostgreSQL arrays, BSON arrays). */
export interface ArrayValue {
  readonly kind: 'array';
  readonly items: readonly Value[];
}

/** A nested document with named fields (BSON sub-documents, PostgreSQL composite types). */
export interface DocumentValue {
  readonly kind: 'document';
  readonly fields: Readonly<Record<string, Value>>;
}

/** One row or document: column (field) name to value. */
export type Row = Readonly<Record<string, Value>>;

/** The neutral type names, as used in error messages and schema descriptions. */
export type ValueType =
  | 'null'
  | 'boolean'
  | 'int64'
  | 'float64'
  | 'text'
  | 'bytes'
  | 'decimal'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'uuid'
  | 'json'
  | 'array'
  | 'document';
