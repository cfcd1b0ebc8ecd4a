import { EMPTY_ROOT, leafHash, nodeHash } from './hash.js';
import { HashColumn } from './hash-column.js';

/**
 * The producer's incremental RFC 9162 Merkle tree. It keeps, per level, the hash of every complete aligned subtree
 * (level 0 holds the leaf hashes), so an append costs O(1) amortised hashes and any historical root, subtree hash or
 * proof is computed from stored hashes in O(log n), never by rehashing the leaves. The hashes of a level sit in
 * large shared buffers rather than one object each, which keeps millions of them cheap for the garbage collector.
 *
 * @example
 * ```ts
 * const tree = new MerkleTree();
 * tree.appendLeaf(new TextEncoder().encode('hello'));
 * tree.root(); // RFC 9162 MTH of the one leaf
 * ```
 */
export class MerkleTree {
  /** levels[k] holds the hash of the complete subtree of 2^k leaves starting at leaf i·2^k, at index i. */
  private readonly levels: HashColumn[] = [new HashColumn(0)];

  /** Number of leaves. */
  get size(): number {
    return this.column(0).length;
  }

  /** Appends one leaf's bytes; returns its index. */
  appendLeaf(leaf: Uint8Array): number {
    return this.appendLeafHash(leafHash(leaf));
  }

  /** Appends already computed leaf hashes in order (a batch hashed off the tree, or recovery); returns the first index. */
  appendLeafHashes(hashes: readonly Uint8Array[]): number {
    const first = this.size;
    for (const hash of hashes) this.appendLeafHash(hash);
    return first;
  }

  /** Appends an already computed leaf hash; returns its index. */
  appendLeafHash(hash: Uint8Array): number {
    if (hash.length !== 32) throw new RangeError(`a leaf hash has 32 bytes, not ${hash.length}`);
    const index = this.size;
    let level = 0;
    let column = this.column(0);
    column.push(hash);
    // Completing a pair at one level completes one subtree at the next: carry upwards like a binary counter.
    while (column.length % 2 === 0) {
      const parent = nodeHash(column.view(column.length - 2), column.view(column.length - 1));
      level += 1;
      column = this.column(level);
      column.push(parent);
    }
    return index;
  }

  /** The stored hash of leaf `index` (a copy). */
  leafHashAt(index: number): Uint8Array {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`leaf ${index} is beyond the tree size ${this.size}`);
    }
    return Buffer.from(this.column(0).view(index));
  }

  /** MTH of the first `size` leaves (default: all of them). */
  root(size: number = this.size): Uint8Array {
    this.checkSize(size);
    if (size === 0) return Buffer.from(EMPTY_ROOT);
    return this.subtreeHash(0, size);
  }

  /**
   * MTH of leaves [start, start + count) (a fresh buffer). Every range the RFC split produces starts at a multiple
   * of its largest power-of-two part, so complete parts are looked up and only the ragged right edge is hashed.
   */
  subtreeHash(start: number, count: number): Uint8Array {
    return Buffer.from(this.subtree(start, count));
  }

  /** Throws unless `size` is a tree size this tree has reached. */
  checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size) {
      throw new RangeError(`tree size ${size} is outside 0..${this.size}`);
    }
  }

  /** Like {@link subtreeHash}, but may return a view into the stored hashes: internal use only, never mutated. */
  private subtree(start: number, count: number): Uint8Array {
    if (count === 1) {
      if (start >= this.size) throw new RangeError(`leaf ${start} is beyond the tree size ${this.size}`);
      return this.column(0).view(start);
    }
    if (isPowerOfTwo(count) && start % count === 0) {
      const column = this.levels[Math.log2(count)];
      if (column !== undefined && start / count < column.length) return column.view(start / count);
    }
    const k = largestPowerOfTwoBelow(count);
    return nodeHash(this.subtree(start, k), this.subtree(start + k, count - k));
  }

  private column(level: number): HashColumn {
    let column = this.levels[level];
    if (column === undefined) {
      column = new HashColumn(level);
      this.levels[level] = column;
    }
    return column;
  }
}

/** The largest power of two strictly smaller than `n` (n ≥ 2): the RFC 9162 split point. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}
