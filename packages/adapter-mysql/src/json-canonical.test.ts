import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJsonText } from './json-canonical.js';

describe('canonicalJsonText', () => {
  it('sorts keys, drops whitespace and keeps numbers exactly as written', () => {
    expect(
      canonicalJsonText(
        ' { "b" : [1, 2.50, 1e3], "a": {"y": null, "x": "\\u00e9"}, "big": 123456789012345678901234 } ',
      ),
    ).toBe('{"a":{"x":"é","y":null},"b":[1,2.50,1e3],"big":123456789012345678901234}');
  });

  it('is idempotent and agrees with JSON.parse on any JSON value', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const once = canonicalJsonText(text);
        return canonicalJsonText(once) === once && isDeepStrictEqual(JSON.parse(once), JSON.parse(text));
      }),
    );
  });

  it('rejects text that is not JSON', () => {
    expect(() => canonicalJsonText('{"a":1,}')).toThrow(/invalid JSON/);
    expect(() => canonicalJsonText('"\u0001"')).toThrow(/invalid JSON/);
  });
});
