const HASH_BYTES = 32;

/**
 * An append-only sequence of 32-byte hashes stored back to back in fixed-size chunks, so a tree level of a million
 * hashes is a few dozen buffers instead of a million objects. Level 0 (the leaves) gets 4,096 hashes per chunk; each
 * level above holds half as many hashes and so gets half the chunk size, down to 64.
 */
export class HashColumn {
  private readonly chunks: Buffer[] = [];
  /** Hashes per chunk, a power of two. */
  private readonly perChunk: number;
  private count = 0;

  constructor(level: number) {
    this.perChunk = 2 ** Math.max(6, 12 - level);
  }

  /** Number of hashes stored. */
  get length(): number {
    return this.count;
  }

  /** Appends a copy of `hash`. */
  push(hash: Uint8Array): void {
    // Arithmetic, not bit operations: indexes go past 2^31.
    const slot = this.count % this.perChunk;
    if (slot === 0) this.chunks.push(Buffer.allocUnsafeSlow(HASH_BYTES * this.perChunk));
    (this.chunks[this.chunks.length - 1] as Buffer).set(hash, slot * HASH_BYTES);
    this.count += 1;
  }

  /** A view of hash `index` (no copy): valid for as long as the column lives, since nothing is ever overwritten. */
  view(index: number): Buffer {
    const chunk = this.chunks[Math.floor(index / this.perChunk)] as Buffer;
    const at = (index % this.perChunk) * HASH_BYTES;
    return chunk.subarray(at, at + HASH_BYTES);
  }
}
