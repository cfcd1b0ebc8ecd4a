import type { Pool } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { SchemaHistory } from './mysql-schema-history.js';

function history(): SchemaHistory {
  return new SchemaHistory(undefined as unknown as Pool, 'db', 'src', (database) => database === 'db');
}

describe('SchemaHistory.apply', () => {
  it('follows CREATE, ALTER (add, rename, modify, drop) and RENAME TABLE in order', () => {
    const h = history();
    h.apply('CREATE TABLE t (id INT PRIMARY KEY, a TEXT, b INT) DEFAULT CHARSET=latin1', 'db', 'p1');
    h.apply(
      'ALTER TABLE t ADD COLUMN c VARCHAR(5) AFTER id, RENAME COLUMN a TO a2, MODIFY b BIGINT, DROP COLUMN b',
      'db',
      'p2',
    );
    const schema = h.get('db', 't')!;
    expect(schema.columns.map((c) => [c.name, c.columnType, c.charset])).toEqual([
      ['id', 'int', null],
      ['c', 'varchar(5)', 'latin1'],
      ['a2', 'text', 'latin1'],
    ]);
    expect(schema.primaryKey).toEqual(['id']);
    const effect = h.apply('RENAME TABLE t TO u', 'db', 'p3');
    expect(effect.records.map((r) => [r.table, r.schema === undefined])).toEqual([
      ['t', true],
      ['u', false],
    ]);
    expect(h.get('db', 't')).toBeUndefined();
    expect(h.get('db', 'u')?.columns).toHaveLength(3);
  });

  it('ignores tables it does not track and reports truncates of those it does', () => {
    const h = history();
    expect(h.apply('CREATE TABLE other.x (id INT PRIMARY KEY)', 'db', 'p1').records).toEqual([]);
    h.apply('CREATE TABLE t (id INT PRIMARY KEY)', 'db', 'p1');
    expect(h.apply('TRUNCATE t', 'db', 'p2').truncated).toEqual([{ database: 'db', table: 't' }]);
  });
});
