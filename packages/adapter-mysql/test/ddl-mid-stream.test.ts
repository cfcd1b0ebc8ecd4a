import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MySqlSource } from '../src/index.js';
import { collect, connect, mysqlUrl, uniqueName } from './support.js';

describe('MySqlSource across DDL mid-stream', () => {
  let url: string;
  const table = uniqueName('ddl_items');
  const renamed = `${table}_v2`;

  beforeAll(async () => {
    url = await mysqlUrl();
    const c = await connect(url);
    await c.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, a VARCHAR(10), b INT)`);
    await c.end();
  });

  it('decodes rows before and after add, drop, rename, retype and rename-table with the schema of their position', async () => {
    const id = uniqueName('ddl');
    const source = new MySqlSource({ id, url, tables: [table, renamed], heartbeatSeconds: 1 });
    const iterator = source.stream({})[Symbol.asyncIterator]();
    const start = (await iterator.next()).value!.resumeAfter;
    const c = await connect(url);
    const statements = [
      `INSERT INTO ${table} VALUES (1, 'one', 10)`,
      `ALTER TABLE ${table} ADD COLUMN c DATETIME(6) NULL AFTER a`,
      `INSERT INTO ${table} VALUES (2, 'two', '2024-01-01 00:00:00.5', 20)`,
      `ALTER TABLE ${table} DROP COLUMN a`,
      `INSERT INTO ${table} VALUES (3, NULL, 30)`,
      `ALTER TABLE ${table} RENAME COLUMN b TO bee, MODIFY c VARCHAR(30)`,
      `INSERT INTO ${table} VALUES (4, 'text now', 40)`,
      `ALTER TABLE ${table} MODIFY bee BIGINT UNSIGNED`,
      `INSERT INTO ${table} VALUES (5, NULL, 18446744073709551)`,
      `RENAME TABLE ${table} TO ${renamed}`,
      `INSERT INTO ${renamed} VALUES (6, 'renamed', 60)`,
    ];
    for (const sql of statements) await c.query(sql);
    await c.end();
    const expected = [
      { id: 1n, a: 'one', b: 10n },
      { id: 2n, a: 'two', c: { kind: 'timestamp', micros: 1_704_067_200_500_000n, zoned: false }, b: 20n },
      { id: 3n, c: null, b: 30n },
      { id: 4n, c: 'text now', bee: 40n },
      { id: 5n, c: null, bee: 18_446_744_073_709_551n },
      { id: 6n, c: 'renamed', bee: 60n },
    ];
    const check = async (it: AsyncIterator<import('@worker-sync/core').CapturedBatch>) => {
      const { changes } = await collect(it, (all) => all.length >= expected.length);
      expect(changes.map((change) => change.after)).toEqual(expected);
      expect(changes.at(-1)?.table.name).toBe(renamed);
    };
    await check(iterator);
    await iterator.return?.();
    await source.close();

    // A restart from before all of it decodes the old positions with the persisted history, not today's schema.
    const again = new MySqlSource({ id, url, tables: [table, renamed], heartbeatSeconds: 1 });
    const replay = again.stream({ after: start })[Symbol.asyncIterator]();
    await check(replay);
    await replay.return?.();
    await again.close();
  });

  afterAll(async () => {
    const c = await connect(url);
    await c.query(`DROP TABLE IF EXISTS ${renamed}`);
    await c.end();
  });
});
