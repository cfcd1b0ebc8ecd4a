import { describe, expect, it } from 'vitest';
import type { ConflictSide } from '../interfaces/conflict-resolver.js';
import { lastWriterWins } from './last-writer-wins.js';
import { settleConflict } from './settle-conflict.js';
import { sourcePriority } from './source-priority.js';

const context = { table: { namespace: 'app', name: 'items' }, key: [['id', 1n]] as const };

function side(
  writer: string,
  hlc: bigint,
  row: Record<string, bigint> | null,
  vv: Record<string, number>,
): ConflictSide {
  return { row, version: { vv, hlc, writer, deleted: row === null } };
}

describe('lastWriterWins', () => {
  it('picks the higher HLC whichever side it is on', () => {
    const a = side('n1', 10n, { v: 1n }, { n1: 1 });
    const b = side('n2', 20n, { v: 2n }, { n2: 1 });
    expect(lastWriterWins.resolve(a, b, context)).toEqual({ kind: 'pick', winner: 'b' });
    expect(lastWriterWins.resolve(b, a, context)).toEqual({ kind: 'pick', winner: 'a' });
  });

  it('breaks HLC ties by the greater writer id, deletes included', () => {
    const a = side('n1', 10n, { v: 1n }, { n1: 1 });
    const b = side('n2', 10n, null, { n2: 1 });
    const settled = settleConflict(lastWriterWins, a, b, context);
    expect(settled).toEqual({
      outcome: 'b',
      row: null,
      version: { vv: { n1: 1, n2: 1 }, hlc: 10n, writer: 'n2', deleted: true },
    });
  });

  it('settles symmetrically', () => {
    const a = side('n1', 30n, { v: 1n }, { n1: 2, n2: 1 });
    const b = side('n2', 20n, { v: 2n }, { n2: 2 });
    const ab = settleConflict(lastWriterWins, a, b, context);
    const ba = settleConflict(lastWriterWins, b, a, context);
    expect(ab.row).toEqual(ba.row);
    expect(ab.version).toEqual(ba.version);
    expect(ab.version).toEqual({ vv: { n1: 2, n2: 2 }, hlc: 30n, writer: 'n1', deleted: false });
  });
});

describe('sourcePriority', () => {
  const resolver = sourcePriority(['hq', 'store']);

  it('prefers the first-ranked writer over a newer one', () => {
    const hq = side('hq', 10n, { v: 1n }, { hq: 1 });
    const store = side('store', 99n, { v: 2n }, { store: 1 });
    expect(resolver.resolve(hq, store, context)).toEqual({ kind: 'pick', winner: 'a' });
    expect(resolver.resolve(store, hq, context)).toEqual({ kind: 'pick', winner: 'b' });
  });

  it('ranks unknown writers last and falls back to last writer wins among them', () => {
    const store = side('store', 1n, { v: 1n }, { store: 1 });
    const x = side('x', 50n, { v: 2n }, { x: 1 });
    const y = side('y', 60n, { v: 3n }, { y: 1 });
    expect(resolver.resolve(store, x, context)).toEqual({ kind: 'pick', winner: 'a' });
    expect(resolver.resolve(x, y, context)).toEqual({ kind: 'pick', winner: 'b' });
  });

  it('rejects a bad order', () => {
    expect(() => sourcePriority(['a', 'a'])).toThrow(/twice/);
    expect(() => sourcePriority([''])).toThrow(/order\[0\]/);
  });
});
