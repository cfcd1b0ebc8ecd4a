import fc from 'fast-check';
import type { ChangeBatch, ChangeEvent, RowVersion } from '../model/change-event.js';
import type { Row, Value } from '../model/value.js';

/**
 * fast-check generators for the neutral model, shared by the codec and resolver property tests. They cover every
 * value type at its edges: int64 bounds, `-0`, `NaN` and infinities, empty and large strings and byte arrays,
 * non-canonical uuids, times with and without offsets, nested arrays and documents.
 */

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Column and field names, including awkward ones. */
export const nameArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('id', 'a', 'b', 'c', '', '__proto__', 'constructor', 'ü', '😀'),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

const scalarArb: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc.constantFrom(INT64_MIN, INT64_MAX, 0n, -1n),
  fc.double(),
  fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.uint8Array({ maxLength: 40 }),
  fc.stringMatching(/^-?(0|[1-9]\d{0,40})(\.\d{1,20})?$/).map((value) => ({ kind: 'decimal' as const, value })),
  fc.stringMatching(/^[+-]?\d{4,6}-\d{2}-\d{2}$/).map((value) => ({ kind: 'date' as const, value })),
  fc.record(
    {
      kind: fc.constant('time' as const),
      micros: fc.bigInt(0n, 86_400_000_000n),
      offsetSeconds: fc.integer({ min: -50_400, max: 50_400 }),
    },
    { requiredKeys: ['kind', 'micros'], noNullPrototype: true },
  ),
  fc.record(
    { kind: fc.constant('timestamp' as const), micros: fc.bigInt(INT64_MIN, INT64_MAX), zoned: fc.boolean() },
    { noNullPrototype: true },
  ),
  fc.uuid().map((value) => ({ kind: 'uuid' as const, value })),
  fc
    .constantFrom('NOT-A-UUID', '123E4567-E89B-12D3-A456-426614174000')
    .map((value) => ({ kind: 'uuid' as const, value })),
  fc.json({ maxDepth: 2 }).map((value) => ({ kind: 'json' as const, value })),
);

/** Any neutral value, nested up to three levels. */
export const valueArb: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArb,
    fc.array(tie('value'), { maxLength: 4 }).map((items) => ({ kind: 'array' as const, items })),
    fc
      .dictionary(nameArb, tie('value'), { maxKeys: 4, noNullPrototype: true })
      .map((fields) => ({ kind: 'document' as const, fields })),
  ),
})).value;

/** A row of arbitrary columns. */
export const rowArb: fc.Arbitrary<Row> = fc.dictionary(nameArb, valueArb, { maxKeys: 6, noNullPrototype: true });

const nodeArb = fc.constantFrom('n1', 'n2', 'n3', 'node-with-a-long-name');

/**
 * A row version with an arbitrary vector (zero entries included), HLC and optional column stamps, each either the
 * version's own HLC (the usual case) or any other.
 */
export const versionArb: fc.Arbitrary<RowVersion> = fc
  .record(
    {
      vv: fc.dictionary(nodeArb, fc.nat({ max: 1_000_000 }), { maxKeys: 4, noNullPrototype: true }),
      hlc: fc.bigInt(0n, (1n << 64n) - 1n),
      writer: nodeArb,
      deleted: fc.boolean(),
      columns: fc.dictionary(nameArb, fc.option(fc.bigInt(0n, (1n << 64n) - 1n), { nil: undefined }), {
        maxKeys: 4,
        noNullPrototype: true,
      }),
    },
    { requiredKeys: ['vv', 'hlc', 'writer', 'deleted'], noNullPrototype: true },
  )
  .map(({ columns, ...version }) => {
    if (columns === undefined) return version;
    const stamps: Record<string, bigint> = {};
    for (const [name, stamp] of Object.entries(columns)) {
      Object.defineProperty(stamps, name, {
        value: stamp ?? version.hlc,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return { ...version, columns: stamps };
  });

/** A stamped change event with every optional part sometimes present. */
export const eventArb: fc.Arbitrary<ChangeEvent> = fc.record(
  {
    op: fc.constantFrom('insert' as const, 'update' as const, 'delete' as const, 'truncate' as const),
    table: fc.record({ namespace: nameArb, name: nameArb }, { noNullPrototype: true }),
    key: fc.array(fc.tuple(nameArb, valueArb), { maxLength: 3 }),
    after: rowArb,
    before: rowArb,
    unchanged: fc.array(nameArb, { maxLength: 3 }),
    position: fc.constantFrom('0/16B3748', '000001.000154', ''),
    tx: fc.record(
      {
        id: fc.string({ maxLength: 8 }),
        commitTimeMicros: fc.bigInt(INT64_MIN, INT64_MAX),
        index: fc.nat(),
        last: fc.boolean(),
      },
      { noNullPrototype: true },
    ),
    snapshot: fc.boolean(),
    origin: nodeArb,
    sourceId: fc.constantFrom('pg', 'mysql'),
    version: versionArb,
  },
  {
    requiredKeys: ['op', 'table', 'key', 'position', 'tx', 'origin', 'sourceId', 'version'],
    noNullPrototype: true,
  },
);

/** A batch of 0–8 events; most share the batch's origin and source, some do not. */
export const batchArb: fc.Arbitrary<ChangeBatch> = fc.record(
  {
    id: fc.string(),
    origin: nodeArb,
    sourceId: fc.constantFrom('pg', 'mysql'),
    events: fc.array(eventArb, { maxLength: 8 }),
    position: fc.string({ maxLength: 20 }),
  },
  { noNullPrototype: true },
);
