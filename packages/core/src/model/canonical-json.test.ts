import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys, drops whitespace and keeps numbers as written', () => {
    expect(canonicalJson(' { "b" : 1.50 , "a" : [ true , null , -0 , 1e400 ] } ')).toBe(
      '{"a":[true,null,-0,1e400],"b":1.50}',
    );
    expect(canonicalJson('12345678901234567890123')).toBe('12345678901234567890123');
    expect(canonicalJson('{"é":1,"z":2,"Z":3,"\\u00e9x":4}')).toBe('{"Z":3,"z":2,"é":1,"éx":4}');
  });

  it('escapes strings like JSON.stringify and keeps the last duplicate', () => {
    expect(canonicalJson('"\\u0041\\n\\/"')).toBe('"A\\n/"');
    expect(canonicalJson('{"a":1,"b":2,"a":3}')).toBe('{"a":3,"b":2}');
  });

  it('names the offset of invalid input', () => {
    expect(() => canonicalJson('{"a":}')).toThrow(/character 5: expected a JSON value/);
    expect(() => canonicalJson('[1,]')).toThrow(/character 3/);
    expect(() => canonicalJson('01')).toThrow(/character 1: expected end of input/);
    expect(() => canonicalJson('"\u0001"')).toThrow(/valid JSON string/);
    expect(() => canonicalJson('['.repeat(600))).toThrow(/nesting/);
  });

  it('agrees with JSON.parse on meaning and is idempotent', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const canonical = canonicalJson(text);
        expect(canonicalJson(canonical)).toBe(canonical);
        expect(JSON.parse(canonical)).toStrictEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });
});
