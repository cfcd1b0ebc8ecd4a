import type { ChangeBatch, ChangeEvent } from '../model/change-event.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { readEvent, writeEvent } from './event-codec.js';
import { SymbolReader, SymbolWriter } from './symbol-table.js';

/**
 * The version of the batch format, its first byte. A decoder refuses versions it does not know rather than guess;
 * a new format gets a new number and the old one stays readable.
 */
export const BATCH_CODEC_VERSION = 1;

/**
 * Encodes a batch in the compact binary transport format: a version byte, then LEB128 varints, one type tag per
 * value, int64 as zigzag varints, float64 as 8 raw bytes (so `-0`, `NaN` and infinities survive), strings as
 * length-prefixed UTF-8, and repeated names (tables, columns, nodes, positions) written once per batch. Row columns
 * keep their order, so a sink sees columns as the source captured them. Throws a `MappingError` naming table and
 * column for a value the neutral model cannot carry (an int64 out of range, a string with a lone surrogate).
 *
 * @example
 * ```ts
 * const bytes = encodeBatch(batch);
 * const same = decodeBatch(bytes); // deep-equal to batch
 * ```
 */
export function encodeBatch(batch: ChangeBatch): Uint8Array {
  const w = new ByteWriter();
  const s = new SymbolWriter(w);
  w.byte(BATCH_CODEC_VERSION);
  w.string(batch.id, 'batch id');
  s.write(batch.origin, 'origin');
  s.write(batch.sourceId, 'source id');
  s.write(batch.position, 'position');
  w.varuint(batch.events.length);
  const defaults = { origin: batch.origin, sourceId: batch.sourceId };
  for (const event of batch.events) writeEvent(w, s, event, false, defaults);
  return w.finish();
}

/**
 * Decodes what {@link encodeBatch} wrote. Structural checks here are the validation of untrusted input: every tag,
 * length, count and reference is checked against the bytes present, and the whole input must be consumed. Any
 * failure is an `IntegrityError` (code `DECODE`) naming the byte offset and what was expected.
 */
export function decodeBatch(bytes: Uint8Array): ChangeBatch {
  const r = new ByteReader(bytes);
  const version = r.byte('the codec version');
  if (version !== BATCH_CODEC_VERSION) r.fail(`codec version ${BATCH_CODEC_VERSION}, got ${version}`, 0);
  const s = new SymbolReader(r);
  const id = r.string('the batch id');
  const origin = s.read('the origin');
  const sourceId = s.read('the source id');
  const position = s.read('the batch position');
  // Each event takes at least 12 bytes, which bounds the count before anything is allocated.
  const n = r.count('the event count', 12);
  const events: ChangeEvent[] = [];
  const defaults = { origin, sourceId };
  for (let i = 0; i < n; i++) events.push(readEvent(r, s, defaults));
  if (r.remaining !== 0) r.fail(`end of input after ${n} events, found ${r.remaining} more bytes`);
  return { id, origin, sourceId, events, position };
}
