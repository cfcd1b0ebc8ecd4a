import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';

/**
 * Strings that repeat within a batch (table and column names, node ids, positions, transaction ids) are written
 * once; later occurrences are a back-reference. `0` introduces a new string, `n > 0` refers to the n-th one.
 */
export class SymbolWriter {
  readonly #ids = new Map<string, number>();

  constructor(private readonly w: ByteWriter) {}

  write(value: string, what: string): void {
    const id = this.#ids.get(value);
    if (id !== undefined) {
      this.w.varuint(id + 1);
      return;
    }
    this.w.varuint(0);
    this.w.string(value, what);
    this.#ids.set(value, this.#ids.size);
  }
}

/** Reads what {@link SymbolWriter} wrote, refusing references to strings not yet defined. */
export class SymbolReader {
  readonly #symbols: string[] = [];

  constructor(private readonly r: ByteReader) {}

  read(expected: string): string {
    const at = this.r.offset;
    const ref = this.r.varuint(expected);
    if (ref === 0) {
      const value = this.r.string(expected);
      this.#symbols.push(value);
      return value;
    }
    const value = this.#symbols[ref - 1];
    if (value === undefined) this.r.fail(`${expected} (a string reference ≤ ${this.#symbols.length}, got ${ref})`, at);
    return value;
  }
}
