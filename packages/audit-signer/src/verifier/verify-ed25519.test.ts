import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyEd25519 } from './verify-ed25519.js';

const v = JSON.parse(
  readFileSync(new URL('../../fixtures/wycheproof-ed25519-subset.json', import.meta.url), 'utf8'),
) as {
  publicKey: string;
  tests: { tcId: number; msg: string; sig: string; result: 'valid' | 'invalid' }[];
};

describe('Ed25519 verification against Wycheproof vectors', () => {
  it.each(v.tests)('tcId $tcId is $result', ({ msg, sig, result }) => {
    const ok = verifyEd25519(Buffer.from(v.publicKey, 'hex'), Buffer.from(msg, 'hex'), Buffer.from(sig, 'hex'));
    expect(ok).toBe(result === 'valid');
  });

  it('rejects truncated and padded signatures', () => {
    const t = v.tests[0] as (typeof v.tests)[number];
    const sig = Buffer.from(t.sig, 'hex');
    expect(verifyEd25519(Buffer.from(v.publicKey, 'hex'), Buffer.alloc(0), sig.subarray(0, 63))).toBe(false);
    expect(
      verifyEd25519(Buffer.from(v.publicKey, 'hex'), Buffer.alloc(0), Buffer.concat([sig, Buffer.from([0])])),
    ).toBe(false);
  });
});
