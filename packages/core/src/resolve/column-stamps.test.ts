import { describe, expect, it } from 'vitest';
import { stampColumns } from './column-stamps.js';

const version = { vv: { n1: 1 }, hlc: 10n, writer: 'n1', deleted: false, columns: { a: 3n, b: 7n } };

describe('stampColumns', () => {
  it('stamps changed and new columns and keeps the stamps of unchanged ones', () => {
    expect(
      stampColumns({ row: { a: 1n, b: 'x', c: null }, version }, { a: 1n, b: 'y', c: null, d: true }, 20n),
    ).toEqual({
      a: 3n,
      b: 20n,
      c: 10n,
      d: 20n,
    });
  });

  it('stamps everything for a new row or one written over a deletion', () => {
    expect(stampColumns(undefined, { a: 1n }, 20n)).toEqual({ a: 20n });
    expect(stampColumns({ row: null, version: { ...version, deleted: true } }, { a: 1n }, 20n)).toEqual({ a: 20n });
  });

  it('keeps the stamps of columns the source did not carry', () => {
    expect(stampColumns({ row: { a: 1n, b: 'x' }, version }, { a: 2n }, 20n, ['b'])).toEqual({ a: 20n, b: 7n });
  });
});
