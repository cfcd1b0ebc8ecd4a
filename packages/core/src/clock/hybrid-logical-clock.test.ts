import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../errors.js';
import { packHlc, unpackHlc } from './hlc-timestamp.js';
import { HybridLogicalClock } from './hybrid-logical-clock.js';

function clockAt(start: number, options: { maxDriftMillis?: number; last?: bigint } = {}) {
  let wall = start;
  const clock = new HybridLogicalClock({ ...options, now: () => wall });
  return {
    clock,
    set: (ms: number) => {
      wall = ms;
    },
  };
}

describe('HybridLogicalClock', () => {
  it('follows the wall clock and counts logically when it stalls', () => {
    const { clock, set } = clockAt(1000);
    expect(clock.now()).toBe(packHlc(1000n, 0));
    expect(clock.now()).toBe(packHlc(1000n, 1));
    set(999);
    expect(clock.now()).toBe(packHlc(1000n, 2));
    set(2000);
    expect(clock.now()).toBe(packHlc(2000n, 0));
    expect(clock.last).toBe(packHlc(2000n, 0));
  });

  it('borrows the next millisecond when the logical counter is exhausted', () => {
    const { clock } = clockAt(5, { last: packHlc(5n, 0xffff) });
    expect(unpackHlc(clock.now())).toEqual({ wallMillis: 6n, logical: 0 });
  });

  it('observes remote timestamps ahead of it', () => {
    const { clock } = clockAt(1000);
    const remote = packHlc(1500n, 7);
    expect(clock.observe(remote)).toBe(packHlc(1500n, 8));
    expect(clock.now()).toBe(packHlc(1500n, 9));
  });

  it('refuses a remote timestamp beyond the drift bound without moving', () => {
    const { clock } = clockAt(1000, { maxDriftMillis: 100 });
    const before = clock.now();
    expect(() => clock.observe(packHlc(1101n, 0))).toThrow(IntegrityError);
    expect(() => clock.observe(packHlc(1101n, 0))).toThrow(/101 ms ahead/);
    expect(clock.last).toBe(before);
    expect(clock.observe(packHlc(1100n, 0))).toBe(packHlc(1100n, 1));
  });

  it('stays monotonic across a restart with a wall clock that went back', () => {
    const first = clockAt(10_000).clock;
    const last = first.now();
    const { clock } = clockAt(5_000, { last });
    expect(clock.now() > last).toBe(true);
  });

  it('rejects bad configuration', () => {
    expect(() => new HybridLogicalClock({ maxDriftMillis: -1 })).toThrow(/maxDriftMillis/);
    expect(() => new HybridLogicalClock({ now: () => Number.NaN }).now()).toThrow(/wall clock returned NaN/);
  });
});
