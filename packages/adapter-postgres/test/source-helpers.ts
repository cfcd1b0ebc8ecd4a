import type { CapturedBatch, CapturedChange } from '@worker-sync/core';
import type { PostgresSource } from '../src/index.js';

/**
 * Reads batches from a running stream until `done(changes so far)` holds, acknowledging each batch as the engine
 * would; returns the changes.
 */
export async function collect(
  iterator: AsyncIterator<CapturedBatch>,
  source: PostgresSource,
  done: (changes: CapturedChange[]) => boolean,
  first?: Promise<IteratorResult<CapturedBatch>>,
): Promise<CapturedChange[]> {
  const changes: CapturedChange[] = [];
  let pending = first;
  while (!done(changes)) {
    const next = await (pending ?? iterator.next());
    pending = undefined;
    if (next.done === true) break;
    if (process.env.DEBUG_COLLECT)
      console.log(JSON.stringify(next.value, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 300));
    changes.push(...next.value.changes);
    await source.acknowledge(next.value.resumeAfter);
  }
  return changes;
}
