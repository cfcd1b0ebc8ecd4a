import { hashesEqual, nodeHash } from '../hash.js';

/**
 * Checks an inclusion proof by the algorithm of RFC 9162 §2.1.3.2. Written independently of the producer's
 * proof code (it shares only the hash functions), so a bug in one is not silently mirrored by the other.
 *
 * @returns true when `leafHash` at `index` is in the tree of `size` leaves whose root is `root`.
 */
export function verifyInclusion(
  index: bigint,
  size: bigint,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (index < 0n || index >= size) return false;
  if (leafHash.length !== 32 || root.length !== 32 || proof.some((p) => p.length !== 32)) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      // A left child with no right sibling at this level: climb until this node is a right child.
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && hashesEqual(r, root);
}
