import { VerificationError } from './verification-error.js';

/** A parsed C2SP tlog-checkpoint body. */
export interface ParsedCheckpoint {
  readonly origin: string;
  readonly size: bigint;
  readonly root: Uint8Array;
  readonly extensions: readonly string[];
}

/** Parses checkpoint text (the note body); anything off the C2SP grammar is a `malformed` failure. */
export function parseCheckpoint(text: string): ParsedCheckpoint {
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines.length < 3)
    throw new VerificationError('malformed', 'malformed checkpoint: fewer than three lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0) throw new VerificationError('malformed', 'malformed checkpoint: empty origin');
  if (!/^(0|[1-9][0-9]{0,19})$/.test(sizeText))
    throw new VerificationError('malformed', `malformed checkpoint: tree size "${sizeText}"`);
  const root = Buffer.from(rootText, 'base64');
  if (root.length !== 32 || root.toString('base64') !== rootText) {
    throw new VerificationError('malformed', 'malformed checkpoint: root is not base64 of 32 bytes');
  }
  if (extensions.some((line) => line.length === 0))
    throw new VerificationError('malformed', 'malformed checkpoint: empty extension line');
  return { origin, size: BigInt(sizeText), root: new Uint8Array(root), extensions };
}
