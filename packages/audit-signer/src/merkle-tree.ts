import { EMPTY_ROOT, leafHash, nodeHash } from './hash.js';

/**
 * The producer's incremental RFC 9162 Merkle tree. It keeps, per level, the hash of every complete aligned subtree
 * (level 0 holds the leaf hashes), so an append costs O(1) amortised hashes and any historical root, subtree hash or
 * proof is computed from stored hashes in O(log n), never by rehashing the leaves.
 *
 * @example
 * ```ts
 * const tree = new MerkleTree();
 * tree.appendLeaf(new TextEncoder().encode('hello'));
 * tree.root(); // RFC 9162 MTH of the one leaf
 * ```
 */
export class MerkleTree {
  /** levels[k][i] = hash of the complete subtree of 2^k leaves starting at leaf i·2^k. */
  private readonly levels: Uint8Array[][] = [[]];

  /** Number of leaves. */
  get size(): number {
    return this.levels[0]?.length ?? 0;
  }

  /** Appends one leaf's bytes; returns its index. */
  appendLeaf(leaf: Uint8Array): number {
    return this.appendLeafHash(leafHash(leaf));
  }

  /** Appends an already computed leaf hash (recovery from storage); returns its index. */
  appendLeafHash(hash: Uint8Array): number {
    const index = this.size;
    let level = 0;
    let current = hash;
    // Completing a pair at one level completes one subtree at the next: carry upwards like a binary counter.
    for (;;) {
      const row = this.levelRow(level);
      row.push(current);
      if (row.length % 2 === 1) break;
      current = nodeHash(row[row.length - 2] as Uint8Array, current);
      level += 1;
    }
    return index;
  }

  /** The stored hash of leaf `index`. */
  leafHashAt(index: number): Uint8Array {
    const hash = this.levels[0]?.[index];
    if (hash === undefined) throw new RangeError(`leaf ${index} is beyond the tree size ${this.size}`);
    return hash;
  }

  /** MTH of the first `size` leaves (default: all of them). */
  root(size: number = this.size): Uint8Array {
    this.checkSize(size);
    if (size === 0) return EMPTY_ROOT;
    return this.subtreeHash(0, size);
  }

  /**
   * MTH of leaves [start, start + count). Every range the RFC split produces starts at a multiple of its largest
   * power-of-two part, so complete parts are looked up and only the ragged right edge is hashed.
   */
  subtreeHash(start: number, count: number): Uint8Array {
    if (count === 1) return this.leafHashAt(start);
    if (isPowerOfTwo(count) && start % count === 0) {
      const level = Math.log2(count);
      const stored = this.levels[level]?.[start / count];
      if (stored !== undefined) return stored;
    }
    const k = largestPowerOfTwoBelow(count);
    return nodeHash(this.subtreeHash(start, k), this.subtreeHash(start + k, count - k));
  }

  /** Throws unless `size` is a tree size this tree has reached. */
  checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size) {
      throw new RangeError(`tree size ${size} is outside 0..${this.size}`);
    }
  }

  private levelRow(level: number): Uint8Array[] {
    let row = this.levels[level];
    if (row === undefined) {
      row = [];
      this.levels[level] = row;
    }
    return row;
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
