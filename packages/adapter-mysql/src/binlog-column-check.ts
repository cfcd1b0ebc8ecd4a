import type { ColumnSchema } from '@vlasky/zongji';

/**
 * Which COLUMN_TYPE base names each binlog column type code can carry. A history schema whose column disagrees with
 * the binlog's own type code was built from DDL the parser misread: decoding with it would garble rows, so the
 * source stops with an error instead.
 */
const BASES_BY_CODE: Readonly<Record<number, readonly string[]>> = {
  1: ['tinyint', 'bool', 'boolean'],
  2: ['smallint'],
  3: ['int', 'integer'],
  4: ['float'],
  5: ['double', 'real'],
  7: ['timestamp'],
  8: ['bigint', 'serial'],
  9: ['mediumint'],
  10: ['date'],
  11: ['time'],
  12: ['datetime'],
  13: ['year'],
  14: ['date'],
  15: ['varchar', 'varbinary', 'char', 'binary', 'inet4', 'inet6', 'uuid'],
  16: ['bit'],
  17: ['timestamp'],
  18: ['datetime'],
  19: ['time'],
  140: ['tinytext', 'text', 'mediumtext', 'longtext', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'json'],
  141: ['varchar', 'varbinary'],
  245: ['json'],
  246: ['decimal', 'numeric', 'dec', 'fixed'],
  247: ['enum'],
  248: ['set'],
  249: ['tinytext', 'tinyblob'],
  250: ['mediumtext', 'mediumblob'],
  251: ['longtext', 'longblob', 'json'],
  252: ['tinytext', 'text', 'mediumtext', 'longtext', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'json'],
  253: ['varchar', 'varbinary', 'char', 'binary'],
  254: ['char', 'binary', 'enum', 'set', 'uuid', 'inet4', 'inet6', 'varchar', 'varbinary'],
  255: [
    'geometry',
    'point',
    'linestring',
    'polygon',
    'multipoint',
    'multilinestring',
    'multipolygon',
    'geometrycollection',
  ],
};

/** The first column whose history type cannot be what the binlog row carries, or undefined when all agree. */
export function mismatchedColumn(columns: readonly ColumnSchema[], codes: readonly number[]): string | undefined {
  for (const [index, column] of columns.entries()) {
    const allowed = BASES_BY_CODE[codes[index] ?? -1];
    if (allowed === undefined) continue;
    const base = column.COLUMN_TYPE.trim()
      .toLowerCase()
      .replace(/[\s(].*$/s, '');
    if (!allowed.includes(base)) return `${column.COLUMN_NAME} (${column.COLUMN_TYPE}, binlog type ${codes[index]})`;
  }
  return undefined;
}
