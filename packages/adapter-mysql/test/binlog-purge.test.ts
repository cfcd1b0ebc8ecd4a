import { type CapturedChange, IntegrityError } from '@worker-sync/core';
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { encodePosition, MySqlSource } from '../src/index.js';
import { connect, mysqlUrl, uniqueName } from './support.js';

describe('MySqlSource with a purged binlog', () => {
  it('refuses to resume from a checkpoint whose binlog file is gone, with a resync hint, instead of leaving a gap', async () => {
    const url = await mysqlUrl();
    const c = await connect(url);
    const [logs] = await c.query<RowDataPacket[]>('SHOW BINARY LOGS');
    await c.end();
    const oldest = String(logs[0]!.Log_name);
    const index = Number(/\.(\d+)$/.exec(oldest)![1]);
    // A checkpoint taken before the oldest binlog the server still has: exactly what a purge leaves behind.
    const purged = oldest.replace(/\d+$/, String(index - 1).padStart(oldest.length - oldest.lastIndexOf('.') - 1, '0'));
    const source = new MySqlSource({ id: uniqueName('purge'), url, positionMode: 'file' });
    const iterator = source.stream({ after: encodePosition({ file: purged, offset: 4 }) })[Symbol.asyncIterator]();
    const error = await iterator.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as IntegrityError).code).toBe('BINLOG_PURGED');
    expect((error as Error).message).toMatch(/snapshot: true/);
    await source.close();
  });

  it('resyncs with a fresh consistent snapshot when configured to', async () => {
    const url = await mysqlUrl();
    const c = await connect(url);
    const table = uniqueName('purged_items');
    await c.query(`CREATE TABLE ${table} (id INT PRIMARY KEY)`);
    await c.query(`INSERT INTO ${table} VALUES (1), (2)`);
    const [logs] = await c.query<RowDataPacket[]>('SHOW BINARY LOGS');
    const oldest = String(logs[0]!.Log_name);
    const index = Number(/\.(\d+)$/.exec(oldest)![1]);
    const purged = oldest.replace(/\d+$/, String(index - 1).padStart(oldest.length - oldest.lastIndexOf('.') - 1, '0'));
    const checkpoint = encodePosition({ file: purged, offset: 4 });
    const source = new MySqlSource({ id: uniqueName('resync'), url, tables: [table], onPurgedBinlog: 'resnapshot' });
    const iterator = source.stream({ after: checkpoint })[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value!.changes.map((change: CapturedChange) => [change.snapshot, change.key[0]![1]])).toEqual([
      [true, 1n],
      [true, 2n],
    ]);
    expect(first.value!.resumeAfter > checkpoint).toBe(true);
    await iterator.return?.();
    await source.close();
    await c.query(`DROP TABLE ${table}`);
    await c.end();
  });
});
