import { describe, expect, it } from 'vitest';
import { ConfigurationError, ConnectionError } from '../errors.js';
import { backoffDelay, isRetriable, type RetryAttempt, retry } from './retry.js';

const noSleep = async (): Promise<void> => {};

describe('retry', () => {
  it('retries retriable errors until the call succeeds', async () => {
    let calls = 0;
    const seen: RetryAttempt[] = [];
    const result = await retry(
      async () => {
        calls += 1;
        if (calls < 3) throw new ConnectionError('refused');
        return 'ok';
      },
      { sleep: noSleep, random: () => 0.5, onRetry: (a) => seen.push(a) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(seen.map((a) => a.attempt)).toEqual([1, 2]);
  });

  it('throws a non-retriable error at once', async () => {
    let calls = 0;
    const error = new ConfigurationError('bad');
    await expect(
      retry(
        async () => {
          calls += 1;
          throw error;
        },
        { sleep: noSleep },
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  it('retries unknown errors only when told to', async () => {
    let calls = 0;
    const failing = async (): Promise<never> => {
      calls += 1;
      throw new Error('driver');
    };
    await expect(retry(failing, { sleep: noSleep })).rejects.toThrow('driver');
    expect(calls).toBe(1);
    await expect(retry(failing, { sleep: noSleep, retryUnknown: true, maxAttempts: 3 })).rejects.toThrow('driver');
    expect(calls).toBe(4);
  });

  it('stops after maxAttempts and throws the last error', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls += 1;
          throw new ConnectionError(`attempt ${calls}`);
        },
        { maxAttempts: 4, sleep: noSleep },
      ),
    ).rejects.toThrow('attempt 4');
    expect(calls).toBe(4);
  });

  it('waits with full jitter under an exponential bound capped by maxDelayMs', () => {
    const bounds = { initialDelayMs: 10, maxDelayMs: 100 };
    expect([1, 2, 3, 4, 5, 40].map((n) => backoffDelay(n, bounds, () => 0.999999))).toEqual([10, 20, 40, 80, 100, 100]);
    expect(backoffDelay(3, bounds, () => 0)).toBe(0);
  });

  it('passes the computed delays to the sleeper', async () => {
    const waits: number[] = [];
    await expect(
      retry(
        async () => {
          throw new ConnectionError('down');
        },
        {
          maxAttempts: 4,
          initialDelayMs: 8,
          maxDelayMs: 20,
          random: () => 0.999999,
          sleep: async (ms) => void waits.push(ms),
        },
      ),
    ).rejects.toThrow('down');
    expect(waits).toEqual([8, 16, 20]);
  });

  it('rejects with the abort reason during a wait and makes no further attempt', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = retry(
      async () => {
        calls += 1;
        throw new ConnectionError('down');
      },
      { signal: controller.signal, initialDelayMs: 60_000, maxDelayMs: 60_000, random: () => 0.5 },
    );
    controller.abort(new Error('stopping'));
    await expect(pending).rejects.toThrow('stopping');
    expect(calls).toBe(1);
  });

  it('does not call fn when the signal is already aborted', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls += 1;
        },
        { signal: AbortSignal.abort(new Error('stopped')) },
      ),
    ).rejects.toThrow('stopped');
    expect(calls).toBe(0);
  });

  it('reads retriable from errors of another copy of the package', () => {
    expect(isRetriable({ retriable: true })).toBe(true);
    expect(isRetriable(Object.assign(new Error('x'), { retriable: false }), true)).toBe(false);
    expect(isRetriable('text', true)).toBe(true);
  });
});
