import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ed25519Signer } from './signer.js';
import { verifyEd25519 } from './verifier/verify-ed25519.js';

interface Rfc8032File {
  tests: { name: string; secretKey: string; publicKey: string; message: string; signature: string }[];
}

// RFC 8032 section 7.1; fixtures/README.md names where the bytes were transcribed from.
const file = JSON.parse(
  readFileSync(new URL('../fixtures/rfc8032-ed25519-vectors.json', import.meta.url), 'utf8'),
) as Rfc8032File;
const hex = (s: string) => Buffer.from(s, 'hex');

describe('Ed25519Signer and verifyEd25519 against RFC 8032 section 7.1', () => {
  it('holds TEST 1, 2, 3, 1024 and SHA(abc)', () => {
    expect(file.tests.map((t) => t.name)).toEqual(['TEST 1', 'TEST 2', 'TEST 3', 'TEST 1024', 'TEST SHA(abc)']);
  });

  it.each(file.tests)('$name: the seed gives the public key and the exact signature', async (t) => {
    const signer = Ed25519Signer.fromSeed('rfc8032', hex(t.secretKey));
    expect(Buffer.from(signer.publicKey).toString('hex')).toBe(t.publicKey);
    expect(Buffer.from(await signer.sign(hex(t.message))).toString('hex')).toBe(t.signature);
  });

  it.each(file.tests)('$name: the verifier accepts it and rejects any flipped bit', (t) => {
    expect(verifyEd25519(hex(t.publicKey), hex(t.message), hex(t.signature))).toBe(true);
    for (const bit of [0, 255, 256, 511]) {
      const sig = hex(t.signature);
      sig[bit >> 3] = (sig[bit >> 3] as number) ^ (1 << (bit & 7));
      expect(verifyEd25519(hex(t.publicKey), hex(t.message), sig)).toBe(false);
    }
  });
});
