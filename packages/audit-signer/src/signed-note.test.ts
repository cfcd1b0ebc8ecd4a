import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signNote } from './signed-note.js';
import { Ed25519Signer } from './signer.js';
import { parseVerifierKey } from './trust-policy.js';
import { parseNote } from './verifier/open-note.js';

const v = JSON.parse(readFileSync(new URL('../fixtures/signed-note-vectors.json', import.meta.url), 'utf8')) as {
  peter: { verifierKey: string; secretKey: string; signatureLine: string };
  enoch: { verifierKey: string; signatureLine: string };
  text: string;
  badKeys: string[];
};

describe('C2SP signed-note against the Go sumdb/note vectors', () => {
  it('signs the PeterNeumann text to the exact published note', async () => {
    const signer = Ed25519Signer.fromNoteSecretKey(v.peter.secretKey);
    expect(signer.verifierKey).toBe(v.peter.verifierKey);
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(await signNote(v.text, [signer])).toBe(`${v.text}\n${v.peter.signatureLine}`);
  });

  it('parses a note with two signatures, including one by an unknown key', () => {
    const note = parseNote(`${v.text}\n${v.peter.signatureLine}${v.enoch.signatureLine}`);
    expect(note.text).toBe(v.text);
    expect(note.signatures.map((s) => [s.keyName, s.keyId])).toEqual([
      ['PeterNeumann', 0xc74f20a3],
      ['EnochRoot', 0xaf0cfe78],
    ]);
  });

  it('accepts the published verifier keys and rejects the mangled ones', () => {
    expect(parseVerifierKey(v.peter.verifierKey).keyId).toBe(0xc74f20a3);
    expect(parseVerifierKey(v.enoch.verifierKey).keyId).toBe(0xaf0cfe78);
    for (const bad of v.badKeys) expect(() => parseVerifierKey(bad)).toThrow();
    const b = v.peter.verifierKey;
    for (let i = 0; i < b.length; i++) {
      const mangled = b.slice(0, i) + String.fromCharCode(b.charCodeAt(i) + 1) + b.slice(i + 1);
      expect(() => parseVerifierKey(mangled), mangled).toThrow();
    }
  });

  it('rejects the malformed messages of note_test.go', () => {
    const sig = v.peter.signatureLine;
    const bad = [
      v.text,
      `${v.text}\n`,
      `${v.text}\n${sig.slice(0, -1)}`,
      `\u0001${v.text}\n${sig}`,
      `\ufffd${v.text}\n${sig}`,
      `${v.text}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${v.text}\n${sig}Unexpected line.\n`,
      `${v.text}\n${sig.repeat(101)}`,
    ];
    for (const msg of bad) expect(() => parseNote(msg), JSON.stringify(msg)).toThrow(/malformed/);
  });
});
