import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openAesGcm, sealAesGcm } from './aes-gcm.js';

interface AeadTest {
  tcId: number;
  comment: string;
  flags: string[];
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface AeadFile {
  numberOfTests: number;
  testGroups: { ivSize: number; keySize: number; tagSize: number; tests: AeadTest[] }[];
}

// Wycheproof testvectors_v1/aes_gcm_test.json: the AES-256 groups with a 96-bit and a 0-bit IV (fixtures/README.md).
const file = JSON.parse(
  readFileSync(new URL('../fixtures/wycheproof/aes_gcm_test.aes256-iv96.json', import.meta.url), 'utf8'),
) as AeadFile;
const vectors = file.testGroups.flatMap((g) => g.tests);
const hex = (s: string) => Buffer.from(s, 'hex');

describe('AES-256-GCM (sealAesGcm / openAesGcm) against Wycheproof', () => {
  it('holds exactly the kept groups of the published file', () => {
    expect(file.numberOfTests).toBe(316);
    expect(file.testGroups.map((g) => [g.keySize, g.ivSize, g.tagSize])).toEqual([
      [256, 96, 128],
      [256, 0, 128],
    ]);
    const ids = vectors.map((v) => v.tcId);
    expect(ids).toEqual([...Array.from({ length: 66 }, (_, i) => 91 + i), 315, 316]);
  });

  it.each(vectors.filter((v) => v.result === 'valid'))('tcId $tcId ($flags) seals and opens', (v) => {
    const sealed = sealAesGcm(hex(v.key), hex(v.iv), hex(v.aad), hex(v.msg));
    expect(sealed.toString('hex')).toBe(v.ct + v.tag);
    expect(openAesGcm(hex(v.key), hex(v.iv), hex(v.aad), sealed).toString('hex')).toBe(v.msg);
  });

  it.each(vectors.filter((v) => v.result !== 'valid'))('tcId $tcId ($comment) is rejected', (v) => {
    expect(() => openAesGcm(hex(v.key), hex(v.iv), hex(v.aad), hex(v.ct + v.tag))).toThrow();
  });

  it('refuses to seal under a zero-length nonce', () => {
    const v = vectors.find((t) => t.tcId === 316) as AeadTest;
    expect(() => sealAesGcm(hex(v.key), Buffer.alloc(0), Buffer.alloc(0), hex(v.msg))).toThrow(RangeError);
  });

  it('rejects a truncated tag instead of checking fewer tag bytes', () => {
    const v = vectors.find((t) => t.tcId === 91) as AeadTest;
    const short = hex(v.ct + v.tag.slice(0, 30));
    expect(() => openAesGcm(hex(v.key), hex(v.iv), hex(v.aad), short)).toThrow();
  });
});
