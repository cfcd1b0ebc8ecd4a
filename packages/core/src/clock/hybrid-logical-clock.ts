import { ConfigurationError, IntegrityError } from '../errors.js';
import { HLC_LOGICAL_BITS, type Hlc, unpackHlc } from './hlc-timestamp.js';

/** Options of a {@link HybridLogicalClock}. */
export interface HybridLogicalClockOptions {
  /** Wall clock in milliseconds since the Unix epoch; defaults to `Date.now`. Injected by tests. */
  readonly now?: () => number;
  /**
   * How far (ms) a remote timestamp may run ahead of this node's wall clock before {@link HybridLogicalClock.observe}
   * refuses it. Without this bound one node with a broken clock would drag every clock in the cluster into the
   * future for good. Defaults to 60 000.
   */
  readonly maxDriftMillis?: number;
  /** The last timestamp this node issued before a restart, so the clock never goes back across restarts. */
  readonly last?: Hlc;
}

const MAX_HLC = (1n << 64n) - 1n;

/**
 * A hybrid logical clock (Kulkarni et al., 2014): timestamps close to wall-clock time that still order causally
 * related events correctly when wall clocks disagree. Each timestamp is strictly greater than every timestamp this
 * clock issued or observed before; when the wall clock stalls or goes back, the 16-bit logical counter advances,
 * and when that counter is exhausted it borrows the next millisecond.
 *
 * @example
 * ```ts
 * const clock = new HybridLogicalClock({ last: await loadLastHlc() });
 * const stamp = clock.now();          // for a local write
 * clock.observe(incoming.version.hlc); // when a remote change arrives
 * ```
 */
export class HybridLogicalClock {
  readonly #wallClock: () => number;
  readonly #maxDrift: bigint;
  #last: Hlc;

  constructor(options: HybridLogicalClockOptions = {}) {
    const maxDrift = options.maxDriftMillis ?? 60_000;
    if (!Number.isSafeInteger(maxDrift) || maxDrift < 0) {
      throw new ConfigurationError(`maxDriftMillis must be a non-negative integer, got ${maxDrift}`);
    }
    const last = options.last ?? 0n;
    if (last < 0n || last > MAX_HLC) throw new ConfigurationError(`last must be an unsigned 64-bit HLC, got ${last}`);
    this.#wallClock = options.now ?? Date.now;
    this.#maxDrift = BigInt(maxDrift);
    this.#last = last;
  }

  /** The greatest timestamp issued or observed so far; persist it to stay monotonic across restarts. */
  get last(): Hlc {
    return this.#last;
  }

  /** A timestamp for a local event: max(wall clock, last + 1). */
  now(): Hlc {
    return this.#advance(this.#wallHlc(), this.#last + 1n);
  }

  /**
   * Merges a timestamp received from another node and returns a timestamp for the receive event, greater than both
   * `remote` and everything before. Throws an `IntegrityError` (code `HLC_DRIFT`) when `remote` is more than
   * `maxDriftMillis` ahead of the local wall clock, leaving the clock untouched.
   */
  observe(remote: Hlc): Hlc {
    if (remote < 0n || remote > MAX_HLC)
      throw new IntegrityError(`remote HLC ${remote} is not an unsigned 64-bit value`);
    const wall = this.#wallHlc();
    const remoteMillis = unpackHlc(remote).wallMillis;
    const wallMillis = wall >> HLC_LOGICAL_BITS;
    if (remoteMillis - wallMillis > this.#maxDrift) {
      throw new IntegrityError(
        `remote HLC is ${remoteMillis - wallMillis} ms ahead of the local wall clock (max drift ${this.#maxDrift} ms); refusing to jump`,
        'HLC_DRIFT',
      );
    }
    const floor = remote + 1n > this.#last + 1n ? remote + 1n : this.#last + 1n;
    return this.#advance(wall, floor);
  }

  #advance(wall: Hlc, floor: Hlc): Hlc {
    // `floor` already carries any logical overflow into the next millisecond, because the counter is the low bits.
    const next = wall > floor ? wall : floor;
    if (next > MAX_HLC) throw new IntegrityError('hybrid logical clock exhausted 64 bits');
    this.#last = next;
    return next;
  }

  #wallHlc(): Hlc {
    const millis = this.#wallClock();
    if (!Number.isFinite(millis) || millis < 0) {
      throw new ConfigurationError(`wall clock returned ${millis}; expected milliseconds since the epoch`);
    }
    return BigInt(Math.floor(millis)) << HLC_LOGICAL_BITS;
  }
}
