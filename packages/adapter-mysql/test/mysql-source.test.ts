import type { CapturedChange, Row } from '@worker-sync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MySqlSink, MySqlSource } from '../src/index.js';
import { batchOf, collect, connect, mysqlUrl, uniqueName, version, writeAll } from './support.js';

const TYPES_DDL = `(
  id BIGINT PRIMARY KEY, small SMALLINT, ubig BIGINT UNSIGNED, flag BOOLEAN, price DECIMAL(20,6), ratio DOUBLE, approx FLOAT,
  name VARCHAR(50), body TEXT, raw VARBINARY(16), blobby BLOB, day DATE, at TIME(6), naive DATETIME(6), instant TIMESTAMP(6) NULL,
  doc JSON, mood ENUM('sad','ok','happy'), perms SET('r','w','x'), uid CHAR(36), ubin BINARY(16)
) DEFAULT CHARSET=utf8mb4`;

const FULL_ROW: Row = {
  id: 1n,
  small: -32768n,
  ubig: 9_223_372_036_854_775_807n,
  flag: true,
  price: { kind: 'decimal', value: '-12345678901234.123456' },
  ratio: 0.1 + 0.2,
  approx: 1.1,
  name: 'naïve ☃',
  body: 'x'.repeat(1000),
  raw: new Uint8Array([0, 1, 2, 255]),
  blobby: new Uint8Array([9, 8, 7]),
  day: { kind: 'date', value: '1969-07-20' },
  at: { kind: 'time', micros: 86_399_999_999n },
  naive: { kind: 'timestamp', micros: -1n, zoned: false },
  instant: { kind: 'timestamp', micros: 1_700_000_000_123_456n, zoned: true },
  doc: { kind: 'json', value: '{"a":[1,2,{"b":null}],"big":12345678901234567890}' },
  mood: 'happy',
  perms: 'r,x',
  uid: { kind: 'uuid', value: '0f8fad5b-d9cb-469f-a165-70867728950e' },
  ubin: { kind: 'uuid', value: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' },
};

describe('MySqlSource against MariaDB', () => {
  let url: string;
  const table = uniqueName('src_items');
  let source: MySqlSource;
  let sink: MySqlSink;
  const uuidColumns = [`${table}.uid`, `${table}.ubin`];

  beforeAll(async () => {
    url = await mysqlUrl();
    const c = await connect(url);
    await c.query(`CREATE TABLE ${table} ${TYPES_DDL}`);
    await c.end();
    source = new MySqlSource({ id: uniqueName('s'), url, tables: [table], heartbeatSeconds: 1, uuidColumns });
    sink = new MySqlSink({ id: 'sink', url, uuidColumns });
  });
  afterAll(async () => {
    await source?.close();
    await sink?.close();
  });

  it('captures local writes in commit order, and sink writes with the co-written version, every type exact', async () => {
    const iterator = source.stream({})[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.changes).toEqual([]);
    const c = await connect(url);
    await c.query(`INSERT INTO ${table} (id, name) VALUES (100, 'local')`);
    await c.query(`UPDATE ${table} SET name = 'local2' WHERE id = 100`);
    await c.beginTransaction();
    await c.query(`INSERT INTO ${table} (id, name) VALUES (101, 'a'), (102, 'b')`);
    await c.query(`DELETE FROM ${table} WHERE id = 100`);
    await c.commit();
    await c.end();
    const origin = uniqueName('pg');
    const sinkVersion = version(origin, 3);
    await sink.apply(
      batchOf(origin, 'p1', [
        {
          op: 'insert',
          table: { namespace: 'x', name: table },
          key: [['id', 1n]],
          after: FULL_ROW,
          version: sinkVersion,
        },
      ]),
      writeAll,
    );
    const { changes } = await collect(iterator, (all) => all.some((change) => change.applied !== undefined));
    expect(changes.map((change) => [change.op, change.key[0]?.[1], change.applied !== undefined])).toEqual([
      ['insert', 100n, false],
      ['update', 100n, false],
      ['insert', 101n, false],
      ['insert', 102n, false],
      ['delete', 100n, false],
      ['insert', 1n, true],
    ]);
    const tx = changes.slice(2, 5).map((change) => change.tx);
    expect(new Set(tx.map((t) => t.id)).size).toBe(1);
    expect(tx.map((t) => [t.index, t.last])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
    const positions = changes.map((change) => change.position);
    expect([...positions].sort()).toEqual(positions);
    const applied = changes.at(-1) as CapturedChange;
    expect(applied.applied).toEqual(sinkVersion);
    expect(applied.after).toEqual(FULL_ROW);
    expect(changes[1]?.before).toMatchObject({ id: 100n, name: 'local' });
    // binlog_row_image=FULL: every data change says it carries the whole row it replaced (none for an insert).
    expect(changes.every((change) => change.beforeComplete === true)).toBe(true);
    await iterator.return?.();
  });

  it.each(['gtid', 'file'] as const)(
    'resumes by %s after an acknowledged position with nothing lost or doubled',
    async (positionMode) => {
      const resumable = new MySqlSource({
        id: uniqueName('r'),
        url,
        tables: [table],
        heartbeatSeconds: 1,
        uuidColumns,
        positionMode,
      });
      const iterator = resumable.stream({})[Symbol.asyncIterator]();
      const start = (await iterator.next()).value!.resumeAfter;
      const c = await connect(url);
      const base = positionMode === 'gtid' ? 200 : 300;
      for (let i = 0; i < 5; i++) await c.query(`INSERT INTO ${table} (id, name) VALUES (?, 'r')`, [base + i]);
      const firstTwo = await collect(iterator, (all) => all.length >= 2);
      await iterator.return?.();
      await resumable.close();
      const checkpoint = firstTwo.last ?? start;
      const seenBefore = firstTwo.changes.length;
      const again = new MySqlSource({
        id: uniqueName('r'),
        url,
        tables: [table],
        heartbeatSeconds: 1,
        uuidColumns,
        positionMode,
      });
      const rest = again.stream({ after: checkpoint })[Symbol.asyncIterator]();
      await c.query(`INSERT INTO ${table} (id, name) VALUES (?, 'end')`, [base + 99]);
      await c.end();
      const { changes } = await collect(rest, (all) => all.some((change) => change.key[0]?.[1] === BigInt(base + 99)));
      const ids = [0, 1, 2, 3, 4, 99].map((i) => BigInt(base + i));
      expect(changes.map((change) => change.key[0]?.[1])).toEqual(ids.slice(seenBefore));
      await rest.return?.();
      await again.close();
    },
  );
});

describe('MySqlSource stream lifecycle', () => {
  it('ends the stream when its signal aborts, and can stream again afterwards', async () => {
    const url = await mysqlUrl();
    const source = new MySqlSource({ id: uniqueName('abort'), url, heartbeatSeconds: 1 });
    const controller = new AbortController();
    const iterator = source.stream({ signal: controller.signal })[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    controller.abort();
    expect((await pending).done).toBe(true);
    const again = source.stream({})[Symbol.asyncIterator]();
    expect((await again.next()).done).toBe(false);
    await again.return?.();
    await source.close();
  });
});
