import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MySqlSource } from '../src/index.js';
import { collect, connect, mysqlUrl, uniqueName } from './support.js';

describe('MySqlSource after a lost binlog connection', () => {
  let url: string;
  const table = uniqueName('lost_items');

  beforeAll(async () => {
    url = await mysqlUrl();
    const c = await connect(url);
    await c.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, v INT)`);
    await c.end();
  });

  it('reconnects from the last batch it handed out, with nothing lost or doubled', async () => {
    const source = new MySqlSource({ id: uniqueName('lost'), url, tables: [table], heartbeatSeconds: 1 });
    const iterator = source.stream({})[Symbol.asyncIterator]();
    await iterator.next();
    const c = await connect(url);
    for (let i = 1; i <= 3; i++) await c.query(`INSERT INTO ${table} VALUES (?, ?)`, [i, i]);
    const before = await collect(iterator, (all) => all.length >= 3);
    const [threads] = await c.query<RowDataPacket[]>(
      "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%' AND USER = SUBSTRING_INDEX(CURRENT_USER(), '@', 1)",
    );
    expect(threads.length).toBeGreaterThan(0);
    for (const thread of threads) await c.query(`KILL ${Number(thread.ID)}`);
    for (let i = 4; i <= 6; i++) await c.query(`INSERT INTO ${table} VALUES (?, ?)`, [i, i]);
    await c.end();
    const after = await collect(iterator, (all) => all.length >= 3);
    expect([...before.changes, ...after.changes].map((change) => change.key[0]![1])).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    await iterator.return?.();
    await source.close();
  });

  afterAll(async () => {
    const c = await connect(url);
    await c.query(`DROP TABLE IF EXISTS ${table}`);
    await c.end();
  });
});
