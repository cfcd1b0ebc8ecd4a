import type { DeadLetter, DeadLetterStore } from '../interfaces/dead-letter-store.js';

/**
 * A {@link DeadLetterStore} in process memory. It is unbounded on purpose: dropping a dead letter would lose a change
 * silently, which the store exists to prevent. Each letter holds its event, batch or raw payload, so memory grows
 * with the letters not yet removed; a host that expects many should use a durable store and alert on the count.
 *
 * @example
 * ```ts
 * const deadLetters = new MemoryDeadLetterStore();
 * for (const letter of await deadLetters.list({ limit: 10 })) console.log(letter.stage, letter.reason);
 * ```
 */
export class MemoryDeadLetterStore implements DeadLetterStore {
  // Map keeps insertion order, so list() returns the oldest letters first.
  readonly #letters = new Map<string, DeadLetter>();

  /** Stores a letter; putting the same id again (a retried put) replaces it instead of duplicating it. */
  async put(letter: DeadLetter): Promise<void> {
    this.#letters.set(letter.id, letter);
  }

  /** The oldest letters first, at most `limit` of them. */
  async list(options: { limit?: number } = {}): Promise<DeadLetter[]> {
    const all = [...this.#letters.values()];
    return options.limit === undefined ? all : all.slice(0, Math.max(0, options.limit));
  }

  /** Removes a letter (after it was replayed or fixed); removing an unknown id does nothing. */
  async remove(id: string): Promise<void> {
    this.#letters.delete(id);
  }

  /** How many letters are stored. */
  get size(): number {
    return this.#letters.size;
  }
}
