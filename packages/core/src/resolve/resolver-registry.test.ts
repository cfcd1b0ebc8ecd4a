import { describe, expect, it } from 'vitest';
import { HybridLogicalClock } from '../clock/hybrid-logical-clock.js';
import { lastWriterWins } from './last-writer-wins.js';
import { ManualQueue } from './manual-queue.js';
import { ResolverRegistry } from './resolver-registry.js';

describe('ResolverRegistry', () => {
  it('has the built-ins', () => {
    const registry = new ResolverRegistry();
    expect(registry.names()).toEqual(['column-merge', 'last-writer-wins', 'manual', 'source-priority']);
    expect(registry.create('last-writer-wins')).toBe(lastWriterWins);
    expect(registry.create('source-priority', { order: ['hq'] }).name).toBe('source-priority');
    expect(registry.create('column-merge').name).toBe('column-merge');
    const queue = new ManualQueue({ node: 'hq', clock: new HybridLogicalClock() });
    expect(registry.create('manual', { queue }).name).toBe('manual');
  });

  it('registers custom strategies by name, once', () => {
    const registry = new ResolverRegistry().register('always-a', () => ({
      name: 'always-a',
      resolve: () => ({ kind: 'pick', winner: 'a' }),
    }));
    expect(registry.create('always-a').name).toBe('always-a');
    expect(() => registry.register('always-a', () => lastWriterWins)).toThrow(/already registered/);
  });

  it('names the problem in bad configuration', () => {
    const registry = new ResolverRegistry();
    expect(() => registry.create('newest')).toThrow(
      'unknown resolver "newest"; known resolvers: column-merge, last-writer-wins, manual, source-priority',
    );
    expect(() => registry.create('source-priority', { order: [] })).toThrow(/options\.order/);
    expect(() => registry.create('manual')).toThrow(/options\.queue/);
  });
});
