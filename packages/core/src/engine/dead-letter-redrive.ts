import type { DeadLetter, DeadLetterStore } from '../interfaces/dead-letter-store.js';
import type { RedriveReport } from './sync-engine-status.js';

/**
 * Applies the store's dead letters (those named in `ids`, or all) again through `apply`: each one that now applies is
 * removed; one that still fails stays, with its reason in the report.
 */
export async function redriveDeadLetters(
  store: DeadLetterStore,
  apply: (letter: DeadLetter) => Promise<void>,
  ids: readonly string[] | undefined,
): Promise<RedriveReport> {
  const wanted = ids === undefined ? undefined : new Set(ids);
  const redriven: string[] = [];
  const failed: { id: string; reason: string }[] = [];
  for (const letter of await store.list()) {
    if (wanted !== undefined && !wanted.has(letter.id)) continue;
    try {
      await apply(letter);
      await store.remove(letter.id);
      redriven.push(letter.id);
    } catch (error) {
      failed.push({ id: letter.id, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { redriven, failed };
}
