import type { ChangeEvent } from '../model/change-event.js';
import type { Value } from '../model/value.js';
import { ByteWriter } from './byte-writer.js';
import { writeEvent } from './event-codec.js';
import { SymbolWriter } from './symbol-table.js';
import { writeValue } from './value-codec.js';

/** First byte of canonical event bytes, so a hash of a future layout never collides with this one. */
const CANONICAL_EVENT_VERSION = 1;

// One writer per function, reused: encoding is synchronous and each result is copied out by finish().
const valueScratch = new ByteWriter();
const eventScratch = new ByteWriter();

/**
 * Deterministic bytes of one value: equal values (by `valuesEqual`) give equal bytes and different values give
 * different bytes. Used for row identities, hashing and tie-breaks between otherwise equal versions.
 */
export function canonicalEncodeValue(value: Value): Uint8Array {
  const w = valueScratch.reset();
  writeValue(w, value, true);
  return w.finish();
}

/**
 * Deterministic bytes of one event for hashing (the audit log) and comparison: the transport layout with row
 * columns, document fields, version-vector entries, column stamps and unchanged-column names sorted, zero vector
 * entries dropped, and every field present, so the same event always gives the same bytes and different events
 * give different bytes. The transport codec itself keeps column order (sinks and documents care), which is why
 * this is a separate mode of the same writer rather than the same bytes.
 *
 * @example
 * ```ts
 * const digest = createHash('sha256').update(canonicalEncodeEvent(event)).digest();
 * ```
 */
export function canonicalEncodeEvent(event: ChangeEvent): Uint8Array {
  const w = eventScratch.reset();
  w.byte(CANONICAL_EVENT_VERSION);
  writeEvent(w, new SymbolWriter(w), event, true);
  return w.finish();
}
