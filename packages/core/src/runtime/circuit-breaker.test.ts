import { describe, expect, it } from 'vitest';
import { ApplyError, ConnectionError } from '../errors.js';
import { CircuitBreaker, CircuitOpenError, type CircuitStateChange } from './circuit-breaker.js';

function setup(threshold = 3) {
  let now = 1_000;
  const changes: CircuitStateChange[] = [];
  const breaker = new CircuitBreaker({
    name: 'sink a',
    failureThreshold: threshold,
    resetAfterMs: 500,
    now: () => now,
  });
  breaker.onStateChange((c) => changes.push(c));
  return {
    breaker,
    changes,
    advance: (ms: number) => {
      now += ms;
    },
  };
}
const fail = async (): Promise<never> => {
  throw new ConnectionError('refused');
};
const ok = async (): Promise<string> => 'ok';

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures and then fails fast without calling', async () => {
    const { breaker, changes } = setup();
    for (let i = 0; i < 3; i++) await expect(breaker.execute(fail)).rejects.toThrow('refused');
    expect(breaker.state).toBe('open');
    let called = false;
    const error = await breaker
      .execute(async () => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).retriable).toBe(true);
    expect((error as CircuitOpenError).retryAfterMs).toBe(500);
    expect(called).toBe(false);
    expect(changes.map((c) => `${c.from}>${c.to}`)).toEqual(['closed>open']);
  });

  it('a success resets the consecutive count', async () => {
    const { breaker } = setup();
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    await breaker.execute(ok);
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('closed');
    expect(breaker.consecutiveFailures).toBe(1);
  });

  it('lets one trial through after the cool-down; success closes it', async () => {
    const { breaker, changes, advance } = setup(1);
    await expect(breaker.execute(fail)).rejects.toThrow();
    advance(499);
    expect(breaker.state).toBe('open');
    advance(1);
    expect(breaker.state).toBe('half-open');
    let release: (v: string) => void = () => {};
    const trial = breaker.execute(
      () =>
        new Promise<string>((r) => {
          release = r;
        }),
    );
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    release('done');
    expect(await trial).toBe('done');
    expect(breaker.state).toBe('closed');
    expect(changes.map((c) => `${c.from}>${c.to}`)).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
  });

  it('a failed trial reopens it for another cool-down', async () => {
    const { breaker, advance, changes } = setup(1);
    await expect(breaker.execute(fail)).rejects.toThrow();
    advance(500);
    await expect(breaker.execute(fail)).rejects.toThrow('refused');
    expect(breaker.state).toBe('open');
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    advance(500);
    expect(await breaker.execute(ok)).toBe('ok');
    expect(changes.map((c) => c.to)).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('does not count errors that say they are not retriable (the dependency answered)', async () => {
    const { breaker } = setup(1);
    await expect(breaker.execute(() => Promise.reject(new ApplyError('constraint')))).rejects.toThrow('constraint');
    expect(breaker.state).toBe('closed');
  });
});
