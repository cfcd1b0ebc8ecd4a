import { EMPTY_ROOT, nodeHash } from '../hash.js';

/**
 * Recomputes the RFC 9162 root of a whole sequence of leaf hashes with a stack of complete subtrees, the verifier's
 * own way (the producer keeps per-level arrays): merge equal-sized neighbours as leaves arrive, then fold the
 * remaining right edge from right to left, which is exactly the largest-power-of-two split.
 */
export class ReplayRoot {
  private readonly stack: { size: number; hash: Uint8Array }[] = [];
  private count = 0;

  /** Number of leaves seen. */
  get size(): number {
    return this.count;
  }

  /** Adds the next leaf hash. */
  push(leafHash: Uint8Array): void {
    let node = { size: 1, hash: leafHash };
    let top = this.stack[this.stack.length - 1];
    while (top !== undefined && top.size === node.size) {
      this.stack.pop();
      node = { size: node.size * 2, hash: nodeHash(top.hash, node.hash) };
      top = this.stack[this.stack.length - 1];
    }
    this.stack.push(node);
    this.count += 1;
  }

  /** The root of the leaves seen so far. */
  root(): Uint8Array {
    const last = this.stack[this.stack.length - 1];
    if (last === undefined) return EMPTY_ROOT;
    let acc = last.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) acc = nodeHash((this.stack[i] as { hash: Uint8Array }).hash, acc);
    return acc;
  }
}
