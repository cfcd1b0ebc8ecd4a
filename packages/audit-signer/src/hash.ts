import { createHash, hash } from 'node:crypto';

/** SHA-256 of the empty string: the root of an empty tree (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Uint8Array = hash('sha256', Buffer.alloc(0), 'buffer');

/** Leaves up to this size are prefixed in a reused buffer and hashed in one call; larger ones are streamed. */
const SCRATCH_LIMIT = 64 * 1024;
let leafScratch = Buffer.allocUnsafeSlow(1024);
const nodeScratch = Buffer.allocUnsafeSlow(65);
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** Leaf hash as RFC 9162 §2.1.1 defines it: SHA-256(0x00 ‖ leaf). The 0x00 prefix keeps leaves and nodes apart. */
export function leafHash(leaf: Uint8Array): Buffer {
  const n = leaf.length + 1;
  if (n > SCRATCH_LIMIT) return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
  // One-shot hashing of a reused buffer: no Hash object and no concatenation per leaf (the append path's hot spot).
  if (n > leafScratch.length) leafScratch = Buffer.allocUnsafeSlow(Math.max(n, leafScratch.length * 2));
  leafScratch[0] = 0x00;
  leafScratch.set(leaf, 1);
  return hash('sha256', leafScratch.subarray(0, n), 'buffer');
}

/** Interior node hash as RFC 9162 §2.1.1 defines it: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== 32 || right.length !== 32) {
    return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
  }
  nodeScratch[0] = 0x01;
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 33);
  return hash('sha256', nodeScratch, 'buffer');
}

/** Byte equality of two hashes (not constant time: hashes here are public values). */
export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
