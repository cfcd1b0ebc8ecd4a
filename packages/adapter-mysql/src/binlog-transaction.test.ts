import { describe, expect, it } from 'vitest';
import { BinlogTransaction } from './binlog-transaction.js';
import { rowHash } from './mysql-metadata.js';
import { TableMapping } from './mysql-table-mapping.js';
import { DEFAULT_TYPE_OPTIONS } from './mysql-types.js';
import { encodeKey } from './typed-json.js';

const table = { namespace: 'db', name: 'items' };
const mapping = new TableMapping(
  table,
  {
    columns: [
      { name: 'id', columnType: 'bigint(20)', charset: null },
      { name: 'name', columnType: 'varchar(20)', charset: 'utf8mb4' },
    ],
    primaryKey: ['id'],
  },
  DEFAULT_TYPE_OPTIONS,
);

function shadow(id: bigint, vv: Record<string, number>) {
  const key = [['id', id]] as const;
  return {
    row_hash: rowHash(table, key),
    table_ns: 'db',
    table_name: 'items',
    row_key: encodeKey(key),
    vv: JSON.stringify(vv),
    hlc: '65536',
    writer: 'b',
    deleted: 0,
  };
}

describe('BinlogTransaction', () => {
  it('reports sink writes with applied, local writes without, and shadow-only versions as unchanged updates', () => {
    const tx = new BinlogTransaction('0-1-5');
    tx.addRows('insert', mapping, [{ id: 1, name: 'x' }]);
    tx.addRows('update', mapping, [{ before: { id: 2, name: 'a' }, after: { id: 2, name: 'b' } }]);
    tx.addShadows([shadow(1n, { b: 1 }), shadow(3n, { b: 2 })], false, () => ['id', 'name']);
    const changes = tx.commit('pos', 1_000n);
    expect(changes.map((c) => [c.op, c.key, c.applied?.vv, c.unchanged])).toEqual([
      ['insert', [['id', 1n]], { b: 1 }, undefined],
      ['update', [['id', 2n]], undefined, undefined],
      ['update', [['id', 3n]], { b: 2 }, ['id', 'name']],
    ]);
    expect(changes.map((c) => [c.tx.index, c.tx.last])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
  });

  it('turns a primary key update into a delete and an insert', () => {
    const tx = new BinlogTransaction('t');
    tx.addRows('update', mapping, [{ before: { id: 1, name: 'a' }, after: { id: 9, name: 'a' } }]);
    expect(tx.commit('p', 0n).map((c) => [c.op, c.key])).toEqual([
      ['delete', [['id', 1n]]],
      ['insert', [['id', 9n]]],
    ]);
  });

  it('matches sink writes by table and typed key for composite keys, and not across tables', () => {
    const orders = { namespace: 'db', name: 'orders' };
    const composite = new TableMapping(
      orders,
      {
        columns: [
          { name: 'region', columnType: 'varchar(8)', charset: 'utf8mb4' },
          { name: 'amount', columnType: 'decimal(6,2)', charset: null },
        ],
        primaryKey: ['region', 'amount'],
      },
      DEFAULT_TYPE_OPTIONS,
    );
    const key = [
      ['region', 'eu'],
      ['amount', { kind: 'decimal', value: '1.50' }],
    ] as const;
    const tx = new BinlogTransaction('t');
    tx.addRows('insert', composite, [{ region: 'eu', amount: '1.50' }]);
    tx.addRows('insert', mapping, [{ id: 1, name: 'x' }]);
    tx.addShadows(
      [
        { ...shadow(1n, { b: 1 }), table_name: 'orders', row_key: encodeKey(key), row_hash: rowHash(orders, key) },
        { ...shadow(2n, { b: 2 }) },
      ],
      false,
      () => ['region', 'amount'],
    );
    expect(tx.commit('p', 0n).map((c) => [c.op, c.table.name, c.applied?.vv])).toEqual([
      ['insert', 'orders', { b: 1 }],
      ['insert', 'items', undefined],
      ['update', 'items', { b: 2 }],
    ]);
  });
});
