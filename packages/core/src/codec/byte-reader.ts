import { IntegrityError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads what {@link ByteWriter} wrote, checking every step against the bytes actually present. Every failure is an
 * `IntegrityError` (code `DECODE`) naming the byte offset and what was expected there, and no length read from
 * the input is trusted before it is checked against the bytes that remain, so garbage can neither loop nor make
 * the decoder allocate more than the input's size.
 */
export class ByteReader {
  #offset = 0;
  readonly #view: DataView;
  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.bytes.length - this.#offset;
  }

  /**
   * Whether the bytes at the offset repeat those at `[start, end)`, read earlier; if so they are consumed. When that
   * range held one whole varint, the repeat is the same varint, so its value need not be decoded again.
   */
  skipRepeat(start: number, end: number): boolean {
    const length = end - start;
    if (this.#offset + length > this.bytes.length) return false;
    for (let i = 0; i < length; i++) if (this.bytes[this.#offset + i] !== this.bytes[start + i]) return false;
    this.#offset += length;
    return true;
  }

  /** Throws the decoder's error for the current offset. */
  fail(expected: string, at = this.#offset): never {
    throw new IntegrityError(`undecodable batch at byte ${at}: expected ${expected}`, 'DECODE');
  }

  byte(expected: string): number {
    if (this.#offset >= this.bytes.length) this.fail(`${expected}, found end of input`);
    return this.bytes[this.#offset++]!;
  }

  /** An unsigned varint that must fit a safe integer. */
  varuint(expected: string): number {
    const start = this.#offset;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte(expected);
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) this.fail(`${expected} within 2^53`, start);
        return result;
      }
      scale *= 0x80;
    }
    return this.fail(`${expected} (varint longer than 8 bytes)`, start);
  }

  /** A count of items that each take at least `minItemBytes`; refused when the rest of the input cannot hold them. */
  count(expected: string, minItemBytes = 1): number {
    const start = this.#offset;
    const n = this.varuint(expected);
    if (n * minItemBytes > this.remaining) this.fail(`${expected} ≤ ${this.remaining} (bytes left), got ${n}`, start);
    return n;
  }

  varuint64(expected: string): bigint {
    const start = this.#offset;
    const small = this.#shortVarint();
    if (small !== undefined) return BigInt(small);
    // Up to 10 bytes: the first 7 (each with its continuation bit) as a double, the rest (at most 15 bits within 64)
    // as another, joined with two bigint operations. Anything else (a truncated, overlong or too large varint) takes
    // the exact loop below, which reports it.
    if (start + 7 <= this.bytes.length) {
      let low = 0;
      let scale = 1;
      for (let i = 0; i < 7; i++) {
        low += (this.bytes[start + i]! & 0x7f) * scale;
        scale *= 0x80;
      }
      let high = 0;
      let highScale = 1;
      for (let at = start + 7; at < start + 10 && at < this.bytes.length; at++) {
        const b = this.bytes[at]!;
        high += (b & 0x7f) * highScale;
        if ((b & 0x80) === 0) {
          if (high >= 0x8000) break;
          this.#offset = at + 1;
          return BigInt(low) + (BigInt(high) << 49n);
        }
        highScale *= 0x80;
      }
    }
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte(expected);
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (result >= 1n << 64n) this.fail(`${expected} within 64 bits`, start);
        return result;
      }
    }
    return this.fail(`${expected} (varint longer than 10 bytes)`, start);
  }

  zigzag64(expected: string): bigint {
    // A short varint is unzigzagged in double arithmetic: one bigint in all.
    const small = this.#shortVarint();
    if (small !== undefined) return BigInt(small % 2 === 0 ? small / 2 : -(small + 1) / 2);
    const raw = this.varuint64(expected);
    return (raw & 1n) === 0n ? raw >> 1n : -((raw + 1n) >> 1n);
  }

  /**
   * A varint of up to 7 bytes (49 bits, exact in a double) read with double arithmetic; `undefined`, with nothing
   * consumed, when it is longer or the input ends, so 64-bit readers pay for bigint arithmetic only then.
   */
  #shortVarint(): number | undefined {
    const start = this.#offset;
    let small = 0;
    let scale = 1;
    for (let i = 0; i < 7 && this.#offset < this.bytes.length; i++) {
      const b = this.bytes[this.#offset++]!;
      small += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return small;
      scale *= 0x80;
    }
    this.#offset = start;
    return undefined;
  }

  float64(expected: string): number {
    this.#need(8, expected);
    const value = this.#view.getFloat64(this.#offset);
    this.#offset += 8;
    return value;
  }

  string(expected: string): string {
    const start = this.#offset;
    const length = this.count(`length of ${expected}`);
    const end = this.#offset + length;
    // Short ASCII strings (names, ids, positions) dominate; building them directly skips a TextDecoder call.
    if (length <= 32) {
      let ascii = '';
      let i = this.#offset;
      for (; i < end; i++) {
        const b = this.bytes[i]!;
        if (b >= 0x80) break;
        ascii += String.fromCharCode(b);
      }
      if (i === end) {
        this.#offset = end;
        return ascii;
      }
    }
    try {
      const text = utf8.decode(this.bytes.subarray(this.#offset, end));
      this.#offset = end;
      return text;
    } catch {
      return this.fail(`${expected} as valid UTF-8`, start);
    }
  }

  /** Length-prefixed bytes, as a copy so the result does not pin the input buffer. */
  blob(expected: string): Uint8Array {
    const length = this.count(`length of ${expected}`);
    const out = this.bytes.slice(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }

  #need(n: number, expected: string): void {
    if (this.remaining < n) this.fail(`${expected} (${n} bytes), found ${this.remaining}`);
  }
}
