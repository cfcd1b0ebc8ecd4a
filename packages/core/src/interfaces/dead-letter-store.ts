import type { ChangeBatch, ChangeEvent } from '../model/change-event.js';

/** The pipeline stage where a change was given up on. */
export type DeadLetterStage = 'capture' | 'decode' | 'map' | 'publish' | 'apply';

/** A change (or undecodable payload) that could not be processed after bounded retries, with the reason. */
export interface DeadLetter {
  readonly id: string;
  readonly at: Date;
  readonly stage: DeadLetterStage;
  /** Error code of the `WorkerSyncError` that caused it. */
  readonly code: string;
  /** Human-readable reason naming table, column, key and position; never secrets or full row values. */
  readonly reason: string;
  readonly batchId?: string;
  /** The sink that refused {@link DeadLetter.event}, so a redrive goes back to it. */
  readonly sink?: string;
  readonly event?: ChangeEvent;
  readonly batch?: ChangeBatch;
  /** Raw bytes when the payload could not even be decoded. */
  readonly payload?: Uint8Array;
}

/**
 * Keeps dead letters so that nothing is dropped silently; an operator lists them, fixes the cause and applies them
 * again with `SyncEngine.redrive`.
 */
export interface DeadLetterStore {
  put(letter: DeadLetter): Promise<void>;
  list(options?: { limit?: number }): Promise<DeadLetter[]>;
  remove(id: string): Promise<void>;
}
