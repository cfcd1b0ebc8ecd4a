import { WorkerSyncError } from '../errors.js';

/** `closed`: calls pass. `open`: calls fail fast. `half-open`: the cool-down is over and one trial call may pass. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** A change of state, for status pages and logs. */
export interface CircuitStateChange {
  readonly name: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  /** The error that opened the circuit, when it opened. */
  readonly error?: unknown;
}

/** Options of a {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Names the protected dependency in errors and events, e.g. `sink pg-eu`. */
  readonly name: string;
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  readonly resetAfterMs: number;
  /**
   * Whether an error counts as a failure of the dependency. Default: every error except those that say they are
   * not retriable: a rejected row (a constraint, a mapping error) shows the dependency is up and answering.
   */
  readonly isFailure?: (error: unknown) => boolean;
  /** Milliseconds clock; injected by tests. Default Date.now. */
  readonly now?: () => number;
}

/** Thrown by {@link CircuitBreaker.execute} while the circuit is open. Retriable: the dependency may come back. */
export class CircuitOpenError extends WorkerSyncError {
  override readonly name = 'CircuitOpenError';
  constructor(
    readonly circuit: string,
    /** Milliseconds until a trial call will be allowed (0 while another trial call is running). */
    readonly retryAfterMs: number,
  ) {
    super(`circuit of ${circuit} is open; next trial in ${retryAfterMs} ms`, 'CIRCUIT_OPEN', true);
  }
}

/**
 * Stops calling a dependency that keeps failing, so a dead database costs a fast error instead of a timeout per
 * change, and gives it room to recover: after `failureThreshold` consecutive failures the circuit opens; after
 * `resetAfterMs` one trial call is let through (half-open); its success closes the circuit, its failure reopens it.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ name: 'sink pg-eu', failureThreshold: 5, resetAfterMs: 10_000 });
 * breaker.onStateChange(({ from, to }) => log.warn(`sink pg-eu: ${from} -> ${to}`));
 * await retry(() => breaker.execute(() => sink.apply(batch, decide)));
 * ```
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  readonly #listeners = new Set<(change: CircuitStateChange) => void>();
  #state: 'closed' | 'open' = 'closed';
  #failures = 0;
  #openedAt = 0;
  #trialRunning = false;

  constructor(options: CircuitBreakerOptions) {
    if (!(options.failureThreshold >= 1)) throw new RangeError('failureThreshold must be at least 1');
    if (!(options.resetAfterMs >= 0)) throw new RangeError('resetAfterMs must not be negative');
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The current state; `half-open` as soon as the cool-down has passed. */
  get state(): CircuitState {
    if (this.#state === 'open' && (this.#trialRunning || this.#coolDownLeft() === 0)) return 'half-open';
    return this.#state;
  }

  /** Consecutive failures counted so far (reset by a success). */
  get consecutiveFailures(): number {
    return this.#failures;
  }

  /** Subscribes to state changes; returns the function that unsubscribes. */
  onStateChange(listener: (change: CircuitStateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs `fn` unless the circuit is open; throws {@link CircuitOpenError} without calling it when it is. */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    const trial = this.#admit();
    try {
      const result = await fn();
      this.#succeeded(trial);
      return result;
    } catch (error) {
      const isFailure = this.#options.isFailure ?? defaultIsFailure;
      if (isFailure(error)) this.#failed(trial, error);
      else this.#succeeded(trial);
      throw error;
    }
  }

  /** Whether this call is the half-open trial; throws when the call may not pass. */
  #admit(): boolean {
    if (this.#state === 'closed') return false;
    const left = this.#coolDownLeft();
    if (left > 0 || this.#trialRunning) throw new CircuitOpenError(this.#options.name, left);
    this.#trialRunning = true;
    this.#emit('open', 'half-open');
    return true;
  }

  #succeeded(trial: boolean): void {
    this.#failures = 0;
    if (trial) this.#trialRunning = false;
    if (this.#state === 'open' && trial) {
      this.#state = 'closed';
      this.#emit('half-open', 'closed');
    }
  }

  #failed(trial: boolean, error: unknown): void {
    this.#failures += 1;
    if (trial) {
      this.#trialRunning = false;
      this.#openedAt = this.#now();
      this.#emit('half-open', 'open', error);
      return;
    }
    if (this.#state === 'closed' && this.#failures >= this.#options.failureThreshold) {
      this.#state = 'open';
      this.#openedAt = this.#now();
      this.#emit('closed', 'open', error);
    }
  }

  #coolDownLeft(): number {
    return Math.max(0, this.#openedAt + this.#options.resetAfterMs - this.#now());
  }

  #emit(from: CircuitState, to: CircuitState, error?: unknown): void {
    const change: CircuitStateChange =
      error === undefined ? { name: this.#options.name, from, to } : { name: this.#options.name, from, to, error };
    for (const listener of this.#listeners) listener(change);
  }
}

function defaultIsFailure(error: unknown): boolean {
  return !(typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === false);
}
