import { describe, expect, it } from 'vitest';
import type { RowVersion } from '../model/change-event.js';
import { MemoryCheckpointStore } from './memory-checkpoint-store.js';

const v = (n: number, deleted = false): RowVersion => ({ vv: { a: n }, hlc: BigInt(n) << 16n, writer: 'a', deleted });

describe('MemoryCheckpointStore', () => {
  it('keeps position and versions per source', async () => {
    const store = new MemoryCheckpointStore();
    expect(await store.position('s')).toBeUndefined();
    await store.commit('s', '0001', new Map([['p.t/A', v(1)]]));
    await store.commit('s', '0002', new Map([['p.t/B', v(2)]]));
    await store.commit('other', '9', new Map([['p.t/A', v(9)]]));
    expect(await store.position('s')).toBe('0002');
    expect(await store.versions('s', ['p.t/A', 'p.t/B', 'p.t/C'])).toEqual(
      new Map([
        ['p.t/A', v(1)],
        ['p.t/B', v(2)],
      ]),
    );
  });

  it('copies versions in and out', async () => {
    const store = new MemoryCheckpointStore();
    const version = { ...v(1), vv: { a: 1 } };
    await store.commit('s', '1', new Map([['r', version]]));
    (version.vv as Record<string, number>).a = 99;
    const read = (await store.versions('s', ['r'])).get('r')!;
    (read.vv as Record<string, number>).a = 42;
    expect((await store.versions('s', ['r'])).get('r')).toEqual(v(1));
  });

  it('forgets one table', async () => {
    const store = new MemoryCheckpointStore();
    await store.commit(
      's',
      '1',
      new Map([
        ['p.t/A', v(1)],
        ['p.u/A', v(1)],
      ]),
    );
    await store.forgetTable('s', 'p.t/');
    expect([...(await store.versions('s', ['p.t/A', 'p.u/A'])).keys()]).toEqual(['p.u/A']);
    expect(await store.position('s')).toBe('1');
  });
});
