import mysql from 'mysql2/promise';
import { expect, it } from 'vitest';
import { requireService, unreachable } from './require-service.js';

it('MariaDB writes row events with GTIDs to its binlog', async () => {
  const connection = await mysql.createConnection(requireService('MYSQL_URL', 'mariadb')).catch((error: unknown) => {
    throw unreachable('mariadb', error);
  });
  try {
    const [settings] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT @@log_bin AS log_bin, @@binlog_format AS format, @@binlog_row_image AS image, @@gtid_strict_mode AS gtid',
    );
    expect(settings[0]).toMatchObject({ log_bin: 1, format: 'ROW', image: 'FULL', gtid: 1 });
    await connection.query('CREATE TABLE IF NOT EXISTS smoke_items (id INT PRIMARY KEY, note TEXT)');
    const [status] = await connection.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
    const { File: file, Position: position } = status[0]!;
    await connection.query('REPLACE INTO smoke_items VALUES (1, ?)', [`hello ${Date.now()}`]);
    const [events] = await connection.query<mysql.RowDataPacket[]>('SHOW BINLOG EVENTS IN ? FROM ?', [file, position]);
    const types = events.map((e) => String(e.Event_type));
    expect(types).toContain('Gtid');
    expect(types.some((t) => /^(Write|Update)_rows/.test(t))).toBe(true);
  } finally {
    await connection.end();
  }
});
