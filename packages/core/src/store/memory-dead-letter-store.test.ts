import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../interfaces/dead-letter-store.js';
import { MemoryDeadLetterStore } from './memory-dead-letter-store.js';

const letter = (id: string): DeadLetter => ({ id, at: new Date(0), stage: 'apply', code: 'APPLY', reason: `r ${id}` });

describe('MemoryDeadLetterStore', () => {
  it('lists oldest first with a limit, replaces on same id, removes', async () => {
    const store = new MemoryDeadLetterStore();
    for (const id of ['a', 'b', 'c']) await store.put(letter(id));
    await store.put({ ...letter('a'), reason: 'again' });
    expect((await store.list()).map((l) => l.id)).toEqual(['a', 'b', 'c']);
    expect((await store.list())[0]!.reason).toBe('again');
    expect((await store.list({ limit: 2 })).map((l) => l.id)).toEqual(['a', 'b']);
    await store.remove('b');
    await store.remove('missing');
    expect(store.size).toBe(2);
  });
});
