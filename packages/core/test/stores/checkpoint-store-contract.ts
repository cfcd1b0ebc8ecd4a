import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { CheckpointStore } from '../../src/interfaces/checkpoint-store.js';
import type { RowVersion } from '../../src/model/change-event.js';
import { rowIdentity } from '../../src/model/row-identity.js';

const orders = { namespace: 'public', name: 'orders' };
const lines = { namespace: 'public', name: 'order_lines' };

const version = (n: number, extra: Partial<RowVersion> = {}): RowVersion => ({
  vv: { 'node-a': n, 'node-b': 1 },
  hlc: (1_700_000_000_000n << 16n) + BigInt(n),
  writer: 'node-a',
  deleted: false,
  ...extra,
});

/**
 * The behaviour every durable CheckpointStore must show, run against a real server. Each test uses a fresh source
 * id, so runs against a shared server do not see each other.
 */
export function checkpointStoreContract(
  open: () => Promise<CheckpointStore>,
  /** A store whose commit fails after writing the versions but before the position, when the store can be set so. */
  openFailingBeforePosition?: () => Promise<CheckpointStore>,
): void {
  const fresh = () => `test-${randomUUID()}`;

  it('has no position or versions for a new source', async () => {
    const store = await open();
    const source = fresh();
    expect(await store.position(source)).toBeUndefined();
    expect(await store.versions(source, [rowIdentity(orders, [['id', 1n]])])).toEqual(new Map());
  });

  it('commits a position with versions and reads them back exactly (bigint HLCs, column stamps, tombstones)', async () => {
    const store = await open();
    const source = fresh();
    const a = rowIdentity(orders, [['id', 1n]]);
    const b = rowIdentity(orders, [['id', 9_007_199_254_740_993n]]);
    const c = rowIdentity(lines, [
      ['order', 1n],
      ['line', 'x'.repeat(2_000)],
    ]);
    const stamped = version(2, { columns: { qty: (1_700_000_000_001n << 16n) + 7n } });
    await store.commit(source, '00000001', new Map([[a, version(1)]]));
    await store.commit(
      source,
      '00000002',
      new Map([
        [a, stamped],
        [b, version(3, { deleted: true })],
        [c, version(4)],
      ]),
    );
    expect(await store.position(source)).toBe('00000002');
    const read = await store.versions(source, [a, b, c, 'public.orders/missing']);
    expect(read).toEqual(
      new Map([
        [a, stamped],
        [b, version(3, { deleted: true })],
        [c, version(4)],
      ]),
    );
    expect(await store.position(fresh())).toBeUndefined();
  });

  it('handles commits larger than one batch', async () => {
    const store = await open();
    const source = fresh();
    const many = new Map<string, RowVersion>();
    for (let id = 0n; id < 1_200n; id++) many.set(rowIdentity(orders, [['id', id]]), version(Number(id % 50n) + 1));
    await store.commit(source, '00000010', many);
    const read = await store.versions(source, [...many.keys()]);
    expect(read.size).toBe(1_200);
    expect(read).toEqual(many);
  });

  it('forgets one table of one source', async () => {
    const store = await open();
    if (store.forgetTable === undefined) throw new Error('forgetTable is expected on this store');
    const source = fresh();
    const other = fresh();
    const a = rowIdentity(orders, [['id', 1n]]);
    const l = rowIdentity(lines, [['id', 1n]]);
    await store.commit(
      source,
      '1',
      new Map([
        [a, version(1)],
        [l, version(1)],
      ]),
    );
    await store.commit(other, '1', new Map([[a, version(1)]]));
    await store.forgetTable(source, `${a.slice(0, a.indexOf('/') + 1)}`);
    expect([...(await store.versions(source, [a, l])).keys()]).toEqual([l]);
    expect([...(await store.versions(other, [a])).keys()]).toEqual([a]);
    expect(await store.position(source)).toBe('1');
  });

  if (openFailingBeforePosition !== undefined) {
    it('commits atomically: a commit failing before the position leaves neither position nor versions', async () => {
      const store = await open();
      const failing = await openFailingBeforePosition();
      const source = fresh();
      const a = rowIdentity(orders, [['id', 1n]]);
      const b = rowIdentity(orders, [['id', 2n]]);
      await store.commit(source, '1', new Map([[a, version(1)]]));
      await expect(
        failing.commit(
          source,
          '2',
          new Map([
            [a, version(2)],
            [b, version(2)],
          ]),
        ),
      ).rejects.toThrow();
      expect(await store.position(source)).toBe('1');
      expect(await store.versions(source, [a, b])).toEqual(new Map([[a, version(1)]]));
    });
  }
}
