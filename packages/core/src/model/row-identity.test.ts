import { describe, expect, it } from 'vitest';
import { rowIdentity } from './row-identity.js';

const orders = { namespace: 'public', name: 'orders' };

describe('rowIdentity', () => {
  it('is stable and readable', () => {
    expect(rowIdentity(orders, [['id', 42n]])).toBe(rowIdentity(orders, [['id', 42n]]));
    expect(rowIdentity(orders, [['id', 42n]]).startsWith('public.orders/')).toBe(true);
  });

  it('tells apart keys that stringify alike', () => {
    const ids = [
      rowIdentity(orders, [['id', 1n]]),
      rowIdentity(orders, [['id', 1]]),
      rowIdentity(orders, [['id', '1']]),
      rowIdentity(orders, [['id', { kind: 'decimal', value: '1' }]]),
      rowIdentity(orders, [
        ['a', 1n],
        ['b', 2n],
      ]),
      rowIdentity(orders, [
        ['b', 2n],
        ['a', 1n],
      ]),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('escapes separators in table names', () => {
    const a = rowIdentity({ namespace: 'a.b', name: 'c' }, [['id', 1n]]);
    const b = rowIdentity({ namespace: 'a', name: 'b.c' }, [['id', 1n]]);
    expect(a).not.toBe(b);
    expect(a.startsWith('a%2Eb.c/')).toBe(true);
  });

  it('encodes keys of every length as Buffer base64url does', () => {
    for (let length = 0; length <= 60; length++) {
      const text = 'k'.repeat(length);
      const id = rowIdentity(orders, [['id', text]]);
      const encoded = id.slice('public.orders/'.length);
      const bytes = Buffer.from(encoded, 'base64url');
      expect(bytes.toString('base64url')).toBe(encoded);
      expect(bytes.subarray(bytes.length - length).toString()).toBe(text);
    }
  });
});
