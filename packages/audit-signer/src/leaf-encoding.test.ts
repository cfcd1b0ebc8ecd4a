import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChangeLeaf,
  canonicalLeafJson,
  changeLeafOf,
  decodeLeaf,
  dedupKeyOf,
  encodeLeaf,
  LEAF_FORMAT,
} from './leaf-encoding.js';
import { capturedRecord, orderEvent } from './test-events.js';

describe('leaf encoding', () => {
  it('writes change leaves in exactly the generic canonical JSON, and decodes them back', () => {
    for (const id of [1, 2, 99]) {
      const leaf = changeLeafOf(capturedRecord(id));
      const bytes = encodeLeaf(leaf);
      expect(Buffer.from(bytes).toString('utf8')).toBe(`${LEAF_FORMAT}\n${canonicalLeafJson(leaf)}`);
      expect(decodeLeaf(bytes)).toEqual(leaf);
    }
  });

  it('commits to a hash of the event, not to its column values, and names table and row', () => {
    const leaf = changeLeafOf({ kind: 'applied', node: 'node-b', event: orderEvent(7, 7, 0, 'secret@example.com') });
    const text = Buffer.from(encodeLeaf(leaf)).toString('utf8');
    expect(text).not.toContain('secret@example.com');
    expect(leaf.table).toBe('public.orders');
    expect(leaf.row.startsWith('public.orders/')).toBe(true);
    expect(leaf.eventSha256).toMatch(/^[0-9a-f]{64}$/);
    const other = changeLeafOf({ kind: 'applied', node: 'node-b', event: orderEvent(7, 7, 0, 'other@example.com') });
    expect(other.eventSha256).not.toBe(leaf.eventSha256);
  });

  it('keys deduplication by kind, recording node, origin, source, position and index in the transaction', () => {
    const a = changeLeafOf(capturedRecord(1, 10, 0));
    expect(dedupKeyOf(a)).toBe(dedupKeyOf(changeLeafOf(capturedRecord(1, 10, 0))));
    expect(dedupKeyOf(a)).not.toBe(dedupKeyOf(changeLeafOf(capturedRecord(1, 10, 1))));
    expect(dedupKeyOf(a)).not.toBe(dedupKeyOf(changeLeafOf({ ...capturedRecord(1, 10, 0), kind: 'applied' })));
    expect(dedupKeyOf({ type: 'resync', atMicros: '1', details: {} })).toBeUndefined();
  });

  it('rejects bytes of another layout', () => {
    expect(() => decodeLeaf(Buffer.from('other/v9\n{}'))).toThrow(/layout/);
  });
});

describe('dedupKeyOf', () => {
  // Strings of digits and colons are the ones that could make length-prefixed fields run into each other.
  const field = fc.string({ unit: fc.constantFrom('1', '2', ':', '0', 'a'), maxLength: 6 });
  const identity = fc.record({
    kind: fc.constantFrom('captured' as const, 'applied' as const),
    node: field,
    origin: field,
    sourceId: field,
    position: field,
    txIndex: fc.nat({ max: 120 }),
  });
  const leafOf = (
    id: Pick<ChangeLeaf, 'kind' | 'node' | 'origin' | 'sourceId' | 'position' | 'txIndex'>,
  ): ChangeLeaf => ({
    type: 'change',
    ...id,
    table: 'public.orders',
    row: 'public.orders/AQ',
    op: 'update',
    commitTimeMicros: '1',
    hlc: '1',
    eventSha256: '00',
  });

  it('gives two changes the same key exactly when their identities are equal', () => {
    fc.assert(
      fc.property(identity, identity, (a, b) => {
        const same = JSON.stringify(a) === JSON.stringify(b);
        expect(dedupKeyOf(leafOf(a)) === dedupKeyOf(leafOf(b))).toBe(same);
      }),
      { numRuns: 5000 },
    );
  });

  it('has no key for control leaves', () => {
    expect(dedupKeyOf({ type: 'resync', atMicros: '1', details: {} })).toBeUndefined();
  });
});
