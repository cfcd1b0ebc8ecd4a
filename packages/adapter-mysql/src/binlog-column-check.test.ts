import { describe, expect, it } from 'vitest';
import { mismatchedColumn } from './binlog-column-check.js';

const column = (name: string, type: string) => ({
  COLUMN_NAME: name,
  COLUMN_TYPE: type,
  CHARACTER_SET_NAME: null,
  COLLATION_NAME: null,
  COLUMN_COMMENT: '',
});

describe('mismatchedColumn', () => {
  it('accepts history types the binlog type codes can carry', () => {
    expect(
      mismatchedColumn(
        [column('id', 'bigint(20)'), column('s', 'varchar(10)'), column('e', "enum('a')"), column('j', 'longtext')],
        [8, 15, 254, 252],
      ),
    ).toBeUndefined();
  });

  it('names the first column whose history type disagrees (a misread retype)', () => {
    expect(mismatchedColumn([column('id', 'int(11)'), column('b', 'int(11)')], [3, 8])).toBe(
      'b (int(11), binlog type 8)',
    );
  });
});
