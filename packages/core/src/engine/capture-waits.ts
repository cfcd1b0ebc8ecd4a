import { WorkerSyncError } from '../errors.js';

/** Why a capture loop gave up a batch in hand: its engine is stopping. */
export class StoppedError extends WorkerSyncError {
  constructor() {
    super('stopped while the transport held a publish; the batch is read again after a restart', 'STOPPED', false);
  }
}

/** How long a stopping engine waits for a publish in hand before abandoning it. */
const STOP_GRACE_MS = 2_000;

/**
 * `work`, unless `signal` aborted and `work` then still did not finish within {@link STOP_GRACE_MS}: then a
 * {@link StoppedError} (`work` may still finish in the background; what it delivered is redelivered, harmlessly).
 */
export function unlessStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = () => {
      timer = setTimeout(() => reject(new StoppedError()), STOP_GRACE_MS);
    };
    if (signal.aborted) giveUp();
    else signal.addEventListener('abort', giveUp, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', giveUp);
    });
  });
}

/** The read's result if it settles within `ms` milliseconds, otherwise undefined (the read stays outstanding). */
export async function settledWithin<T>(read: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([read, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A promise with its resolve function. */
export function signalled(): { promise: Promise<undefined>; resolve: (value: undefined) => void } {
  let resolve!: (value: undefined) => void;
  const promise = new Promise<undefined>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** How long to wait after `failures` failed attempts in a row: doubling from `initialDelayMs`, capped at `maxDelayMs`. */
export function backoffDelay(failures: number, backoff: { initialDelayMs: number; maxDelayMs: number }): number {
  return Math.min(backoff.maxDelayMs, backoff.initialDelayMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
}
