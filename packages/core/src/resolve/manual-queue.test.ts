import { describe, expect, it } from 'vitest';
import { HybridLogicalClock } from '../clock/hybrid-logical-clock.js';
import { compareVersionVectors } from '../clock/version-vector.js';
import type { ConflictSide } from '../interfaces/conflict-resolver.js';
import { ManualQueue, manualResolver } from './manual-queue.js';
import { settleConflict } from './settle-conflict.js';

const context = { table: { namespace: 'app', name: 'items' }, key: [['id', 1n]] as const };
const a: ConflictSide = { row: { v: 'a' }, version: { vv: { n1: 2, n2: 1 }, hlc: 500n, writer: 'n1', deleted: false } };
const b: ConflictSide = { row: { v: 'b' }, version: { vv: { n2: 2 }, hlc: 400n, writer: 'n2', deleted: false } };

function queue() {
  return new ManualQueue({ node: 'hq', clock: new HybridLogicalClock({ now: () => 0 }) });
}

describe('manual queue', () => {
  it('parks once per pair of versions, whichever side is local, and settles provisionally by last writer', () => {
    const q = queue();
    const resolver = manualResolver(q);
    const settled = settleConflict(resolver, a, b, context);
    settleConflict(resolver, b, a, context);
    expect(settled).toMatchObject({ outcome: 'parked', row: { v: 'a' } });
    expect(q.list()).toHaveLength(1);
    expect(q.list()[0]).toMatchObject({ table: context.table, key: context.key, a, b });
  });

  it('turns a decision into a write that dominates both sides', () => {
    const q = queue();
    const { id } = q.park(a, b, context);
    const decided = q.decide(id, 'b');
    expect(decided.outcome).toBe('b');
    expect(decided.row).toEqual({ v: 'b' });
    expect(decided.version.writer).toBe('hq');
    expect(decided.version.hlc > a.version.hlc).toBe(true);
    expect(compareVersionVectors(decided.version.vv, a.version.vv)).toBe('after');
    expect(compareVersionVectors(decided.version.vv, b.version.vv)).toBe('after');
    expect(decided.version.vv).toEqual({ hq: 1, n1: 2, n2: 2 });
    expect(q.list()).toHaveLength(0);
    expect(() => q.decide(id, 'a')).toThrow(/no parked conflict/);
  });

  it('accepts a hand-made row or a deletion', () => {
    const q = queue();
    const { id } = q.park(a, b, context);
    expect(q.decide(id, { v: 'ab' })).toMatchObject({ outcome: 'merged', row: { v: 'ab' } });
    const again = q.park(a, b, context);
    expect(q.decide(again.id, null)).toMatchObject({ outcome: 'merged', row: null, version: { deleted: true } });
  });
});
