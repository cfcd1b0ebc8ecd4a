import { WorkerSyncError } from '@worker-sync/core';

/** Bounds of {@link retryHandler}. */
export interface HandlerRetryOptions {
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Called before each wait; rejecting (or throwing) stops the retries with that error. */
  readonly beforeRetry: (error: unknown, attempt: number) => void;
}

/**
 * Runs `fn` up to `attempts` times with exponential backoff and full jitter. A `WorkerSyncError` that is not
 * retriable ends the attempts at once: trying an unappliable change again cannot help.
 */
export async function retryHandler(fn: () => Promise<void>, options: HandlerRetryOptions): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await fn();
      return;
    } catch (error) {
      const final = attempt >= options.attempts || (error instanceof WorkerSyncError && !error.retriable);
      if (final) throw error;
      options.beforeRetry(error, attempt);
      const cap = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
    }
  }
}
