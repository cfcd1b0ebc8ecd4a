import { createHash } from 'node:crypto';

/** SHA-256 of the empty string: the root of an empty tree (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Uint8Array = createHash('sha256').digest();

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** Leaf hash as RFC 9162 §2.1.1 defines it: SHA-256(0x00 ‖ leaf). The 0x00 prefix keeps leaves and nodes apart. */
export function leafHash(leaf: Uint8Array): Uint8Array {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** Interior node hash as RFC 9162 §2.1.1 defines it: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** Byte equality of two hashes (not constant time: hashes here are public values). */
export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
