import type { Signer } from './signer.js';

/** One signature line of a note. */
export interface NoteSignature {
  readonly keyName: string;
  readonly keyId: number;
  readonly signature: Uint8Array;
}

/**
 * Signs `text` with every signer and returns the C2SP signed note: the text, a blank line, then one
 * `— name base64(keyid ‖ signature)` line per signer. Several signers are how a key rotation overlaps.
 */
export async function signNote(text: string, signers: readonly Signer[]): Promise<string> {
  if (text.length === 0 || !text.endsWith('\n'))
    throw new TypeError('note text must be non-empty and end in a newline');
  if (signers.length === 0) throw new TypeError('a note needs at least one signer');
  const message = Buffer.from(text, 'utf8');
  const lines = await Promise.all(
    signers.map(async (signer) =>
      formatSignatureLine({ keyName: signer.keyName, keyId: signer.keyId, signature: await signer.sign(message) }),
    ),
  );
  return `${text}\n${lines.join('')}`;
}

/** One `— name base64` line, newline included. */
export function formatSignatureLine(sig: NoteSignature): string {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(sig.keyId >>> 0);
  return `\u2014 ${sig.keyName} ${Buffer.concat([id, sig.signature]).toString('base64')}\n`;
}
