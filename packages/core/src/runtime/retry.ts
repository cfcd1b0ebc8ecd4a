import { WorkerSyncError } from '../errors.js';

/** What {@link retry} tells `onRetry` before it waits for the next attempt. */
export interface RetryAttempt {
  /** The attempt that just failed, starting at 1. */
  readonly attempt: number;
  /** The error of that attempt. */
  readonly error: unknown;
  /** How long retry waits before the next attempt. */
  readonly delayMs: number;
}

/** Options of {@link retry}; every field has a default, so callers pass only what they change. */
export interface RetryOptions {
  /** Total attempts including the first; 1 means no retry. Default 5. */
  readonly maxAttempts: number;
  /** Upper bound of the first wait; it doubles on every attempt. Default 50 ms. */
  readonly initialDelayMs: number;
  /** Upper bound of any single wait. Default 2000 ms. */
  readonly maxDelayMs: number;
  /**
   * Whether to retry errors that do not say whether they are retriable (anything without a boolean `retriable`,
   * such as a driver error an adapter did not wrap). Default false: an unknown failure is more often a bug than a
   * transient fault, and retrying a bug only delays the dead letter.
   */
  readonly retryUnknown: boolean;
  /** Aborting stops the retries: the pending wait ends and retry rejects with the signal's reason (not the last error). */
  readonly signal?: AbortSignal;
  /** Called after a failed attempt that will be retried (for logs and metrics). */
  readonly onRetry?: (attempt: RetryAttempt) => void;
  /** Source of randomness for the jitter, in [0, 1); injected by tests. Default Math.random. */
  readonly random?: () => number;
  /** How to wait; injected by tests so they do not sleep. Default an abortable timer. */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

const DEFAULTS = { maxAttempts: 5, initialDelayMs: 50, maxDelayMs: 2_000, retryUnknown: false } as const;

/**
 * Whether an error says that trying again can help: a {@link WorkerSyncError} (or any error carrying a boolean
 * `retriable`, so errors from another copy of this package count too) answers for itself; other errors answer
 * `unknown`.
 */
export function isRetriable(error: unknown, unknown = false): boolean {
  if (error instanceof WorkerSyncError) return error.retriable;
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { retriable?: unknown }).retriable === 'boolean'
  ) {
    return (error as { retriable: boolean }).retriable;
  }
  return unknown;
}

/**
 * The wait before attempt `attempt + 1`: "full jitter" (a uniform draw between 0 and the exponential bound), which
 * spreads the retries of many clients that failed together instead of having them hammer a recovering server in step.
 */
export function backoffDelay(
  attempt: number,
  options: Pick<RetryOptions, 'initialDelayMs' | 'maxDelayMs'>,
  random: () => number,
): number {
  const bound = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.floor(random() * (bound + 1));
}

/**
 * Runs `fn` until it succeeds, with bounded retries and exponential backoff with full jitter. Only errors that say
 * they are retriable are retried (see {@link RetryOptions.retryUnknown}); any other error, and the last attempt's
 * error, is thrown as it is.
 *
 * @example
 * ```ts
 * const rows = await retry(() => sink.apply(batch, decide), { maxAttempts: 8, signal: stopping.signal });
 * ```
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: Partial<RetryOptions> = {}): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts);
  const bounds = {
    initialDelayMs: options.initialDelayMs ?? DEFAULTS.initialDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULTS.maxDelayMs,
  };
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      options.signal?.throwIfAborted();
      if (attempt >= maxAttempts || !isRetriable(error, options.retryUnknown ?? DEFAULTS.retryUnknown)) throw error;
      const delayMs = backoffDelay(attempt, bounds, random);
      options.onRetry?.({ attempt, error, delayMs });
      await sleep(delayMs, options.signal);
    }
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
