import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyEd25519 } from './verify-ed25519.js';

interface EddsaFile {
  numberOfTests: number;
  testGroups: {
    publicKey: { pk: string };
    tests: { tcId: number; comment: string; msg: string; sig: string; result: 'valid' | 'invalid' }[];
  }[];
}

// The complete Wycheproof testvectors_v1/ed25519_test.json (fixtures/README.md names the commit).
const file = JSON.parse(
  readFileSync(new URL('../../fixtures/wycheproof/ed25519_test.json', import.meta.url), 'utf8'),
) as EddsaFile;
const vectors = file.testGroups.flatMap((g) => g.tests.map((t) => ({ ...t, pk: g.publicKey.pk })));
const hex = (s: string) => Buffer.from(s, 'hex');

describe('Ed25519 verification (the checkpoint verifier) against Wycheproof', () => {
  it('runs every published test', () => {
    expect(vectors).toHaveLength(file.numberOfTests);
    expect(file.numberOfTests).toBe(151);
  });

  it.each(vectors)('tcId $tcId is $result', ({ pk, msg, sig, result }) => {
    expect(verifyEd25519(hex(pk), hex(msg), hex(sig))).toBe(result === 'valid');
  });

  it('rejects a public key of the wrong length', () => {
    const v = vectors[0] as (typeof vectors)[number];
    expect(verifyEd25519(hex(v.pk).subarray(1), hex(v.msg), hex(v.sig))).toBe(false);
  });
});
