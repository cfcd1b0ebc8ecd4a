import { describe, expect, it } from 'vitest';
import type { ConflictSide } from '../interfaces/conflict-resolver.js';
import type { Row } from '../model/value.js';
import { columnMerge } from './column-merge.js';
import { settleConflict } from './settle-conflict.js';

const context = { table: { namespace: 'app', name: 'items' }, key: [['id', 1n]] as const };

function side(writer: string, hlc: bigint, row: Row | null, columns?: Record<string, bigint>): ConflictSide {
  return { row, version: { vv: { [writer]: 1 }, hlc, writer, deleted: row === null, ...(columns ? { columns } : {}) } };
}

describe('columnMerge', () => {
  const resolver = columnMerge();

  it('keeps concurrent edits of different columns', () => {
    const a = side('n1', 20n, { name: 'new name', price: 10n }, { name: 20n, price: 5n });
    const b = side('n2', 30n, { name: 'old name', price: 12n }, { name: 5n, price: 30n });
    const settled = settleConflict(resolver, a, b, context);
    expect(settled.outcome).toBe('merged');
    expect(settled.row).toEqual({ name: 'new name', price: 12n });
    expect(settled.version).toEqual({
      vv: { n1: 1, n2: 1 },
      hlc: 30n,
      writer: 'n2',
      deleted: false,
      columns: { name: 20n, price: 30n },
    });
    expect(settleConflict(resolver, b, a, context)).toEqual({ ...settled, outcome: 'merged' });
  });

  it('falls back to the row HLC without column stamps and keeps one-sided columns', () => {
    const a = side('n1', 20n, { x: 1n, only: true });
    const b = side('n2', 10n, { x: 2n, y: 'b' });
    expect(settleConflict(resolver, a, b, context).row).toEqual({ x: 1n, only: true, y: 'b' });
  });

  it('decides delete against update by the row clock', () => {
    const update = side('n1', 20n, { x: 1n });
    const laterDelete = side('n2', 25n, null);
    expect(settleConflict(resolver, update, laterDelete, context)).toMatchObject({ outcome: 'b', row: null });
    const earlierDelete = side('n2', 15n, null);
    expect(settleConflict(resolver, update, earlierDelete, context)).toMatchObject({ outcome: 'a', row: { x: 1n } });
  });
});
