/**
 * Invariant: canonicalEncodeEvent(a) equals canonicalEncodeEvent(b) exactly when a and b are the same event
 * (column order, zero version-vector entries and the order of unchanged-column names do not count).
 *
 * Failures print a seed; rerun one with `FC_SEED=<seed> pnpm vitest run --project unit packages/core/src/codec`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareVersionVectors } from '../clock/version-vector.js';
import type { ChangeEvent, RowVersion } from '../model/change-event.js';
import type { Row } from '../model/value.js';
import { bytesEqual, rowsEqual, valuesEqual } from '../model/value-equality.js';
import { canonicalEncodeEvent } from './canonical-encoding.js';
import { eventArb, valueArb } from './change-arbitraries.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const options = { numRuns: 500, ...(seed === undefined ? {} : { seed }) };

function optionalRowsEqual(a: Row | undefined, b: Row | undefined): boolean {
  return a === undefined || b === undefined ? a === b : rowsEqual(a, b);
}

function versionsEqual(a: RowVersion, b: RowVersion): boolean {
  const columns = (v: RowVersion) =>
    v.columns === undefined
      ? undefined
      : Object.fromEntries(Object.entries(v.columns).sort(([x], [y]) => (x < y ? -1 : 1)));
  return (
    compareVersionVectors(a.vv, b.vv) === 'equal' &&
    a.hlc === b.hlc &&
    a.writer === b.writer &&
    a.deleted === b.deleted &&
    JSON.stringify(columns(a), (_, v) => (typeof v === 'bigint' ? `${v}n` : v)) ===
      JSON.stringify(columns(b), (_, v) => (typeof v === 'bigint' ? `${v}n` : v))
  );
}

/** Event equality by meaning, written independently of the encoder it checks. */
function eventsEqual(a: ChangeEvent, b: ChangeEvent): boolean {
  const sorted = (names?: readonly string[]) => (names === undefined ? undefined : JSON.stringify([...names].sort()));
  return (
    a.op === b.op &&
    a.table.namespace === b.table.namespace &&
    a.table.name === b.table.name &&
    a.key.length === b.key.length &&
    a.key.every(([c, v], i) => c === b.key[i]![0] && valuesEqual(v, b.key[i]![1])) &&
    optionalRowsEqual(a.after, b.after) &&
    optionalRowsEqual(a.before, b.before) &&
    sorted(a.unchanged) === sorted(b.unchanged) &&
    a.position === b.position &&
    a.tx.id === b.tx.id &&
    a.tx.commitTimeMicros === b.tx.commitTimeMicros &&
    a.tx.index === b.tx.index &&
    a.tx.last === b.tx.last &&
    a.snapshot === b.snapshot &&
    a.origin === b.origin &&
    a.sourceId === b.sourceId &&
    versionsEqual(a.version, b.version)
  );
}

function reversed(row: Row | undefined): Row | undefined {
  return row === undefined ? undefined : Object.fromEntries(Object.entries(row).reverse());
}

/** The same event spelled differently: columns reversed, a zero vector entry added, unchanged names reversed. */
function respelled(e: ChangeEvent): ChangeEvent {
  return {
    ...e,
    ...(e.after === undefined ? {} : { after: reversed(e.after)! }),
    ...(e.before === undefined ? {} : { before: reversed(e.before)! }),
    ...(e.unchanged === undefined ? {} : { unchanged: [...e.unchanged].reverse() }),
    version: { ...e.version, vv: { zz: 0, ...Object.fromEntries(Object.entries(e.version.vv).reverse()) } },
  };
}

/** A small change to one part of an event, which may or may not change its meaning. */
const mutationArb = fc.tuple(fc.nat(6), fc.string({ maxLength: 2 }), valueArb);

function mutate(e: ChangeEvent, [which, text, value]: [number, string, ChangeEvent['key'][number][1]]): ChangeEvent {
  switch (which) {
    case 0:
      return { ...e, after: { ...(e.after ?? {}), [text]: value } };
    case 1:
      return { ...e, key: [...e.key, [text, value]] };
    case 2:
      return { ...e, position: e.position + text };
    case 3:
      return { ...e, version: { ...e.version, hlc: (e.version.hlc + BigInt(text.length)) % (1n << 64n) } };
    case 4:
      return { ...e, version: { ...e.version, vv: { ...e.version.vv, [text]: text.length } } };
    case 5:
      return { ...e, table: { ...e.table, name: e.table.name + text } };
    default:
      return { ...e, unchanged: [...(e.unchanged ?? []), text] };
  }
}

describe('canonical event encoding', () => {
  it('gives the same bytes for the same event however it is spelled', () => {
    fc.assert(
      fc.property(eventArb, (event) => {
        expect(canonicalEncodeEvent(respelled(event))).toStrictEqual(canonicalEncodeEvent(event));
      }),
      options,
    );
  });

  it('gives equal bytes exactly when the events are equal', () => {
    fc.assert(
      fc.property(eventArb, mutationArb, (event, mutation) => {
        const other = mutate(event, mutation);
        expect(bytesEqual(canonicalEncodeEvent(event), canonicalEncodeEvent(other))).toBe(eventsEqual(event, other));
      }),
      options,
    );
    fc.assert(
      fc.property(eventArb, eventArb, (a, b) => {
        expect(bytesEqual(canonicalEncodeEvent(a), canonicalEncodeEvent(b))).toBe(eventsEqual(a, b));
      }),
      options,
    );
  });
});
