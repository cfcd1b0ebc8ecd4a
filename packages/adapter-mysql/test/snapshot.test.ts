import type { CapturedBatch, CapturedChange } from '@worker-sync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MySqlSource } from '../src/index.js';
import { connect, mysqlUrl, uniqueName } from './support.js';

async function drainSnapshot(iterator: AsyncIterator<CapturedBatch>): Promise<{ rows: bigint[]; positions: string[] }> {
  const rows: bigint[] = [];
  const positions: string[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    positions.push(next.value.resumeAfter);
    rows.push(
      ...next.value.changes
        .filter((change: CapturedChange) => change.snapshot)
        .map((change: CapturedChange) => change.key[0]![1] as bigint),
    );
    if (next.value.changes.length === 0 && next.value.resumeAfter.includes('#s:999999')) break;
  }
  return { rows, positions };
}

describe('MySqlSource snapshot joined to the stream', () => {
  let url: string;
  const table = uniqueName('snap_items');

  beforeAll(async () => {
    url = await mysqlUrl();
    const c = await connect(url);
    await c.query(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, v INT)`);
    const values = Array.from({ length: 25 }, (_, i) => `(${i + 1}, ${i})`).join(', ');
    await c.query(`INSERT INTO ${table} VALUES ${values}`);
    await c.end();
  });

  it('copies every row in key-ordered chunks, then streams what changed after the snapshot, without a lock', async () => {
    const source = new MySqlSource({
      id: uniqueName('snap'),
      url,
      tables: [table],
      snapshotChunkSize: 10,
      heartbeatSeconds: 1,
    });
    const iterator = source.stream({ snapshot: true })[Symbol.asyncIterator]();
    const first = await iterator.next();
    // A write while the snapshot is open: it is either in the copy or in the stream, and the stream replays it.
    const c = await connect(url);
    await c.query(`UPDATE ${table} SET v = 1000 WHERE id = 25`);
    await c.query(`INSERT INTO ${table} VALUES (26, 26)`);
    const rest = await drainSnapshot(iterator);
    const rows = [...first.value!.changes.map((change: CapturedChange) => change.key[0]![1] as bigint), ...rest.rows];
    expect(rows).toEqual(Array.from({ length: 25 }, (_, i) => BigInt(i + 1)));
    const positions = [first.value!.resumeAfter, ...rest.positions];
    expect([...positions].sort()).toEqual(positions);
    const streamed: bigint[] = [];
    while (!streamed.includes(26n)) {
      const next = await iterator.next();
      streamed.push(...next.value!.changes.map((change: CapturedChange) => change.key[0]![1] as bigint));
      expect(next.value!.resumeAfter > positions.at(-1)!).toBe(true);
    }
    expect(streamed).toEqual([25n, 26n]);
    await c.end();
    await iterator.return?.();
    await source.close();
  });

  it('resumes an interrupted snapshot after the last checkpointed chunk', async () => {
    const id = uniqueName('snapr');
    const source = new MySqlSource({ id, url, tables: [table], snapshotChunkSize: 10, heartbeatSeconds: 1 });
    const iterator = source.stream({ snapshot: true })[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value!.changes.map((change: CapturedChange) => change.key[0]![1])).toEqual(
      Array.from({ length: 10 }, (_, i) => BigInt(i + 1)),
    );
    await iterator.return?.();
    await source.close();
    const again = new MySqlSource({ id, url, tables: [table], snapshotChunkSize: 10, heartbeatSeconds: 1 });
    const resumed = again.stream({ after: first.value!.resumeAfter })[Symbol.asyncIterator]();
    const { rows } = await drainSnapshot(resumed);
    expect(rows).toEqual(Array.from({ length: 16 }, (_, i) => BigInt(i + 11)));
    await resumed.return?.();
    await again.close();
  });

  afterAll(async () => {
    const c = await connect(url);
    await c.query(`DROP TABLE IF EXISTS ${table}`);
    await c.end();
  });
});

describe('MySqlSource.resnapshot', () => {
  it('re-reads a table into the running stream as snapshot inserts, positions never moving back', async () => {
    const url = await mysqlUrl();
    const table = uniqueName('resnap_items');
    const c = await connect(url);
    await c.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, v INT)`);
    await c.query(`INSERT INTO ${table} VALUES (1, 1), (2, 2), (3, 3)`);
    const source = new MySqlSource({
      id: uniqueName('resnap'),
      url,
      tables: [table],
      snapshotChunkSize: 2,
      heartbeatSeconds: 1,
    });
    const iterator = source.stream({})[Symbol.asyncIterator]();
    const start = (await iterator.next()).value!.resumeAfter;
    await c.query(`INSERT INTO ${table} VALUES (4, 4)`);
    const live = await iterator.next();
    expect(live.value!.changes.map((change: CapturedChange) => change.key[0]![1])).toEqual([4n]);
    await source.resnapshot({ namespace: new URL(url).pathname.slice(1), name: table });
    const copied: bigint[] = [];
    let last = live.value!.resumeAfter;
    while (copied.length < 4) {
      const next = await iterator.next();
      for (const change of next.value!.changes) {
        expect(change.snapshot).toBe(true);
        copied.push(change.key[0]![1] as bigint);
      }
      expect(next.value!.resumeAfter >= last).toBe(true);
      last = next.value!.resumeAfter;
    }
    expect(copied).toEqual([1n, 2n, 3n, 4n]);
    expect(last > start).toBe(true);
    await iterator.return?.();
    await source.close();
    await c.query(`DROP TABLE ${table}`);
    await c.end();
  });
});
