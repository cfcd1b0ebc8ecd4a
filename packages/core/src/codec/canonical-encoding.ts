import type { Value } from '../model/value.js';
import { ByteWriter } from './byte-writer.js';
import { writeValue } from './value-codec.js';

/**
 * Deterministic bytes of one value: equal values (by `valuesEqual`) give equal bytes and different values give
 * different bytes. Used for row identities, hashing and tie-breaks between otherwise equal versions.
 */
export function canonicalEncodeValue(value: Value): Uint8Array {
  const w = new ByteWriter();
  writeValue(w, value, true);
  return w.finish();
}
