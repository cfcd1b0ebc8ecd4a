import { VerificationError } from './verification-error.js';

/** A note split into its text and its signature lines, before any signature is checked. */
export interface ParsedNote {
  readonly text: string;
  readonly signatures: readonly { keyName: string; keyId: number; signature: Uint8Array }[];
}

const MAX_SIGNATURES = 100;

/**
 * Splits a C2SP signed note. Malformed input (no blank line before the signatures, a line that is not a signature,
 * a bad name, short base64, no trailing newline, more than 100 signatures) is a `malformed` failure.
 */
export function parseNote(note: string): ParsedNote {
  const malformed = (why: string) => new VerificationError('malformed', `malformed note: ${why}`);
  if (!note.endsWith('\n')) throw malformed('it does not end in a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed('too many signatures');
  const signatures = lines.map((line) => {
    const m = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    if (m === null) throw malformed('a line after the blank line is not a signature');
    const raw = Buffer.from(m[2] as string, 'base64');
    if (raw.length <= 4 || raw.toString('base64') !== m[2])
      throw malformed('signature is not valid base64 of key id and signature');
    return { keyName: m[1] as string, keyId: raw.readUInt32BE(0), signature: new Uint8Array(raw.subarray(4)) };
  });
  if (!isPrintableText(text)) throw malformed('text holds control characters');
  return { text, signatures };
}

function isPrintableText(text: string): boolean {
  // Signed-note text is UTF-8 without control characters other than newline.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c === 0x7f || c === 0xfffd) return false;
  }
  return true;
}
