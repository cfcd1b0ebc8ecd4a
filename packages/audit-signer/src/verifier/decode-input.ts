import { VerificationError } from './verification-error.js';

/** Parses JSON, turning syntax errors into `malformed` failures that name the input. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new VerificationError('malformed', `${what} is not valid JSON`);
  }
}

/** Decodes strict base64, or fails as `malformed` naming the field. */
export function decodeBase64(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string') throw new VerificationError('malformed', `${what} is not a base64 string`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) throw new VerificationError('malformed', `${what} is not valid base64`);
  return new Uint8Array(bytes);
}

/** Decodes a proof: an array of base64 32-byte hashes. */
export function decodeProof(value: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(value)) throw new VerificationError('malformed', `${what} is not an array of hashes`);
  return value.map((h, i) => {
    const bytes = decodeBase64(h, `${what}[${i}]`);
    if (bytes.length !== 32) throw new VerificationError('malformed', `${what}[${i}] is not a 32-byte hash`);
    return bytes;
  });
}

/** Splits JSON Lines text into parsed objects, naming the line of a syntax error. */
export function parseJsonLines(text: string, what: string): unknown[] {
  return text
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim().length > 0)
    .map(({ line, i }) => parseJson(line, `${what} line ${i + 1}`));
}
