import { MappingError } from '../errors.js';

const utf8 = new TextEncoder();
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
/** Magnitudes below this zigzag to less than 2^53. */
const ZIGZAG_IN_DOUBLES = 1n << 51n;
const UINT64_MAX = (1n << 64n) - 1n;

/** `String.prototype.isWellFormed` (Node 20+), missing from the ES2022 lib typings this package compiles against. */
interface WellFormedString {
  isWellFormed(): boolean;
}

/** An append-only byte buffer with the primitive encodings the codecs share (LEB128 varints, zigzag, UTF-8). */
export class ByteWriter {
  #bytes = new Uint8Array(256);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;

  /** The bytes written so far (a copy, so the writer can be reused). */
  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }

  /** The bytes written so far without a copy: valid only until the writer is written to or reset. */
  written(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  /** Empties the writer, keeping its grown buffer: hot paths reuse one writer instead of allocating one per call. */
  reset(): this {
    this.#length = 0;
    return this;
  }

  byte(value: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
  }

  /** An unsigned integer up to 2^53 as a LEB128 varint. */
  varuint(value: number): void {
    this.#reserve(8);
    let rest = value;
    while (rest >= 0x80) {
      this.#bytes[this.#length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.#bytes[this.#length++] = rest;
  }

  /** An unsigned 64-bit integer as a LEB128 varint (at most 10 bytes). */
  varuint64(value: bigint, what: string): void {
    if (value < 0n || value > UINT64_MAX)
      throw new MappingError(`${what} ${value} is outside the unsigned 64-bit range`);
    if (value <= 0x1fffffffffffffn) {
      // Below 2^53 the varint is built with double arithmetic, much cheaper than bigint shifts.
      this.varuint(Number(value));
      return;
    }
    // Above it (every HLC: milliseconds shifted past a 16-bit counter), two 32-bit halves as doubles: two bigint
    // operations instead of two per byte.
    this.#reserve(10);
    let low = Number(value & 0xffffffffn);
    let high = Number(value >> 32n);
    while (high > 0 || low >= 0x80) {
      this.#bytes[this.#length++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | ((high & 0x7f) << 25)) >>> 0;
      high >>>= 7;
    }
    this.#bytes[this.#length++] = low;
  }

  /** A signed 64-bit integer, zigzag-mapped so small magnitudes of either sign stay short. */
  zigzag64(value: bigint, what: string): void {
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new MappingError(`${what} ${value} is outside the int64 range`, { type: 'int64' });
    }
    if (value > -ZIGZAG_IN_DOUBLES && value < ZIGZAG_IN_DOUBLES) {
      // Small magnitudes are zigzagged in double arithmetic (exact below 2^53), without bigint shifts.
      const n = Number(value);
      this.varuint(n >= 0 ? n * 2 : -n * 2 - 1);
      return;
    }
    this.varuint64(value >= 0n ? value << 1n : (-value << 1n) - 1n, what);
  }

  float64(value: number): void {
    this.#reserve(8);
    // Every NaN is written as the one canonical quiet NaN: JS cannot promise to keep NaN payloads anyway.
    this.#view.setFloat64(this.#length, Number.isNaN(value) ? Number.NaN : value);
    this.#length += 8;
  }

  /** Length-prefixed UTF-8. Strings with lone surrogates are refused: UTF-8 cannot carry them exactly. */
  string(value: string, what: string): void {
    // Worst case 3 bytes per UTF-16 unit; encode in place to avoid a temporary array per string.
    this.#reserve(value.length * 3 + 5);
    if (value.length < 0x80 && this.#shortAscii(value)) return;
    if (!(value as unknown as WellFormedString).isWellFormed())
      throw new MappingError(`${what} contains a lone UTF-16 surrogate`, { type: 'text' });
    if (value.length < 0x80) {
      const at = this.#length++;
      const { written } = utf8.encodeInto(value, this.#bytes.subarray(this.#length));
      if (written < 0x80) {
        this.#bytes[at] = written;
        this.#length += written;
        return;
      }
      this.#length = at;
    }
    this.bytes(utf8.encode(value));
  }

  /**
   * Names, ids and positions are short ASCII: copied code unit by code unit, which beats `encodeInto`'s call cost.
   * Returns false, having written nothing, at the first non-ASCII unit.
   */
  #shortAscii(value: string): boolean {
    const at = this.#length;
    const bytes = this.#bytes;
    for (let i = 0; i < value.length; i++) {
      const unit = value.charCodeAt(i);
      if (unit >= 0x80) return false;
      bytes[at + 1 + i] = unit;
    }
    bytes[at] = value.length;
    this.#length = at + 1 + value.length;
    return true;
  }

  /** Length-prefixed raw bytes. */
  bytes(value: Uint8Array): void {
    this.varuint(value.length);
    this.raw(value);
  }

  /** Bytes with no length prefix. */
  /** How many bytes have been written. */
  get length(): number {
    return this.#length;
  }

  /** Appends again the bytes already written at `[start, end)`: a value known to encode the same as an earlier one. */
  repeat(start: number, end: number): void {
    this.#reserve(end - start);
    this.#bytes.copyWithin(this.#length, start, end);
    this.#length += end - start;
  }

  raw(value: Uint8Array): void {
    this.#reserve(value.length);
    this.#bytes.set(value, this.#length);
    this.#length += value.length;
  }

  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }
}
