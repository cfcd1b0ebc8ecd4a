import { IntegrityError, type RowKey, type Value } from '@worker-sync/core';

/**
 * A JSON form of neutral values that keeps their types (an int64 stays an int64, bytes stay bytes), used to store
 * row keys in the shadow table and in snapshot cursors. Deterministic: equal keys give equal text.
 */
type TypedJson =
  | null
  | boolean
  | string
  | { i: string }
  | { f: number | string }
  | { b: string }
  | { d: string }
  | { date: string }
  | { t: string; z?: number }
  | { ts: string; zoned: boolean }
  | { u: string }
  | { j: string }
  | { a: TypedJson[] }
  | { o: [string, TypedJson][] };

function toTyped(value: Value): TypedJson {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return { i: value.toString() };
  if (typeof value === 'number') return { f: Number.isFinite(value) ? value : String(value) };
  if (value instanceof Uint8Array) return { b: Buffer.from(value).toString('base64') };
  switch (value.kind) {
    case 'decimal':
      return { d: value.value };
    case 'date':
      return { date: value.value };
    case 'time':
      return value.offsetSeconds === undefined
        ? { t: value.micros.toString() }
        : { t: value.micros.toString(), z: value.offsetSeconds };
    case 'timestamp':
      return { ts: value.micros.toString(), zoned: value.zoned };
    case 'uuid':
      return { u: value.value };
    case 'json':
      return { j: value.value };
    case 'array':
      return { a: value.items.map(toTyped) };
    case 'document':
      return {
        o: Object.keys(value.fields)
          .sort()
          .map((name) => [name, toTyped(value.fields[name]!)]),
      };
  }
}

function fromTyped(json: TypedJson): Value {
  if (json === null || typeof json === 'boolean' || typeof json === 'string') return json;
  if ('i' in json) return BigInt(json.i);
  if ('f' in json) return typeof json.f === 'number' ? json.f : Number(json.f);
  if ('b' in json) return new Uint8Array(Buffer.from(json.b, 'base64'));
  if ('d' in json) return { kind: 'decimal', value: json.d };
  if ('date' in json) return { kind: 'date', value: json.date };
  if ('ts' in json) return { kind: 'timestamp', micros: BigInt(json.ts), zoned: json.zoned };
  if ('t' in json) {
    return json.z === undefined
      ? { kind: 'time', micros: BigInt(json.t) }
      : { kind: 'time', micros: BigInt(json.t), offsetSeconds: json.z };
  }
  if ('u' in json) return { kind: 'uuid', value: json.u };
  if ('j' in json) return { kind: 'json', value: json.j };
  if ('a' in json) return { kind: 'array', items: json.a.map(fromTyped) };
  return { kind: 'document', fields: Object.fromEntries(json.o.map(([name, item]) => [name, fromTyped(item)])) };
}

/** Encodes a row key as typed JSON text. */
export function encodeKey(key: RowKey): string {
  // The common one-column integer key written directly (the same text JSON.stringify gives): the sink encodes one
  // per change.
  if (key.length === 1 && typeof key[0]![1] === 'bigint')
    return `[[${JSON.stringify(key[0]![0])},{"i":"${key[0]![1]}"}]]`;
  return JSON.stringify(key.map(([column, value]) => [column, toTyped(value)]));
}

/** Decodes {@link encodeKey} text; an IntegrityError names the bad text's origin. */
export function decodeKey(text: string, where: string): RowKey {
  try {
    const parsed = JSON.parse(text) as [string, TypedJson][];
    return parsed.map(([column, value]) => [column, fromTyped(value)] as const);
  } catch (error) {
    throw new IntegrityError(`undecodable row key in ${where}`, 'INTEGRITY', { cause: error });
  }
}
