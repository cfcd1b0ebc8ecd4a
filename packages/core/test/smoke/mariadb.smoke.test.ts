import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { connectOrExplain, requireServiceUrl } from './require-service.js';

/** Proves MariaDB writes a row-based binlog with full images, which the binlog reader needs. */
describe('mariadb binlog', () => {
  let connection: mysql.Connection | undefined;

  afterAll(async () => {
    await connection?.query('DROP TABLE IF EXISTS smoke_binlog');
    await connection?.end();
  });

  it('records an insert as a Write_rows event', async () => {
    const url = requireServiceUrl('mariadb');
    const db = await connectOrExplain('mariadb', () => mysql.createConnection(url));
    connection = db;

    const [settings] = await db.query<mysql.RowDataPacket[]>(
      'SELECT @@log_bin AS logBin, @@binlog_format AS format, @@binlog_row_image AS image',
    );
    expect(settings[0]).toMatchObject({ logBin: 1, format: 'ROW', image: 'FULL' });

    await db.query('CREATE TABLE IF NOT EXISTS smoke_binlog (id int PRIMARY KEY, note text)');
    const [status] = await db.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
    const file = String(status[0]?.File);
    const position = Number(status[0]?.Position);
    await db.query("INSERT INTO smoke_binlog VALUES (1, 'hello')");

    const [events] = await db.query<mysql.RowDataPacket[]>('SHOW BINLOG EVENTS IN ? FROM ?', [file, position]);
    const types = events.map((event) => String(event.Event_type));
    expect(types.some((type) => type.startsWith('Write_rows'))).toBe(true);
  });
});
