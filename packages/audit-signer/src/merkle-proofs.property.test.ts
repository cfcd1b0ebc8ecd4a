import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consistencyProof } from './consistency-proof.js';
import { EMPTY_ROOT, leafHash, nodeHash } from './hash.js';
import { inclusionProof } from './inclusion-proof.js';
import { MerkleTree } from './merkle-tree.js';
import { ReplayRoot } from './verifier/replay-root.js';
import { verifyConsistency } from './verifier/verify-consistency.js';
import { verifyInclusion } from './verifier/verify-inclusion.js';

/** RFC 9162 MTH written straight from the definition, recursively, as the differential oracle. */
function naiveRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leafHash(leaves[0] as Uint8Array);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(naiveRoot(leaves.slice(0, k)), naiveRoot(leaves.slice(k)));
}

function treeOf(leaves: readonly Uint8Array[]): MerkleTree {
  const tree = new MerkleTree();
  for (const leaf of leaves) tree.appendLeaf(leaf);
  return tree;
}

// Distinct leaves: with two equal leaves, moving a proof between them is a true statement, not a forgery.
const leavesArb = fc.uniqueArray(fc.uint8Array({ maxLength: 12 }), {
  minLength: 1,
  maxLength: 70,
  selector: (leaf) => Buffer.from(leaf).toString('hex'),
});

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[Math.floor(bit / 8) % copy.length] = (copy[Math.floor(bit / 8) % copy.length] as number) ^ (1 << (bit % 8));
  return copy;
}

describe('Merkle tree and proofs', () => {
  it('the incremental tree equals the naive recursive MTH at every size, and so does the verifier replay', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const tree = treeOf(leaves);
        const replay = new ReplayRoot();
        for (let n = 1; n <= leaves.length; n++) {
          replay.push(leafHash(leaves[n - 1] as Uint8Array));
          const naive = naiveRoot(leaves.slice(0, n));
          expect(tree.root(n)).toEqual(naive);
          expect(replay.root()).toEqual(naive);
        }
      }),
    );
  });

  it('every inclusion proof verifies, and any single-bit change to proof, root, index or size fails', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat(), fc.nat({ max: 255 }), (leaves, a, b, bit) => {
        const tree = treeOf(leaves);
        const size = 1 + (a % leaves.length);
        const index = b % size;
        const proof = inclusionProof(tree, index, size);
        const root = tree.root(size);
        const lh = tree.leafHashAt(index);
        const [i, n] = [BigInt(index), BigInt(size)];
        expect(verifyInclusion(i, n, lh, proof, root)).toBe(true);
        expect(verifyInclusion(i, n, lh, proof, flipBit(root, bit))).toBe(false);
        expect(verifyInclusion(i, n, flipBit(lh, bit), proof, root)).toBe(false);
        proof.forEach((_, k) => {
          const bad = proof.map((p, j) => (j === k ? flipBit(p, bit) : p));
          expect(verifyInclusion(i, n, lh, bad, root)).toBe(false);
        });
        for (let s = 0; s < 8; s++) {
          const otherIndex = i ^ (1n << BigInt(s));
          if (otherIndex !== i) expect(verifyInclusion(otherIndex, n, lh, proof, root)).toBe(false);
          const otherSize = n ^ (1n << BigInt(s));
          // A size with the same tree shape for this leaf is the same statement; only different shapes must fail.
          if (otherSize !== n && !sameShape(index, size, Number(otherSize))) {
            expect(verifyInclusion(i, otherSize, lh, proof, root)).toBe(false);
          }
        }
      }),
    );
  });

  it('every consistency proof verifies, and any single-bit change to proof, roots or sizes fails', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat(), fc.nat({ max: 255 }), (leaves, a, b, bit) => {
        const tree = treeOf(leaves);
        const n2 = 1 + (a % leaves.length);
        const n1 = 1 + (b % n2);
        const proof = consistencyProof(tree, n1, n2);
        const [r1, r2] = [tree.root(n1), tree.root(n2)];
        const [s1, s2] = [BigInt(n1), BigInt(n2)];
        expect(verifyConsistency(s1, s2, r1, r2, proof)).toBe(true);
        if (n1 === n2) return;
        expect(verifyConsistency(s1, s2, flipBit(r1, bit), r2, proof)).toBe(false);
        expect(verifyConsistency(s1, s2, r1, flipBit(r2, bit), proof)).toBe(false);
        proof.forEach((_, k) => {
          const bad = proof.map((p, j) => (j === k ? flipBit(p, bit) : p));
          expect(verifyConsistency(s1, s2, r1, r2, bad)).toBe(false);
        });
        for (let s = 0; s < 8; s++) {
          const other1 = s1 ^ (1n << BigInt(s));
          if (other1 > 0n && other1 !== s1) expect(verifyConsistency(other1, s2, r1, r2, proof)).toBe(false);
        }
      }),
    );
  });

  it('changing any leaf, or duplicating the last leaf, changes the root', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat({ max: 95 }), (leaves, at, bit) => {
        const root = treeOf(leaves).root();
        const i = at % leaves.length;
        const leaf = leaves[i] as Uint8Array;
        const changed = leaves.map((l, j) =>
          j === i ? (leaf.length === 0 ? new Uint8Array([0]) : flipBit(leaf, bit)) : l,
        );
        expect(treeOf(changed).root()).not.toEqual(root);
        expect(treeOf([...leaves, leaves[leaves.length - 1] as Uint8Array]).root()).not.toEqual(root);
      }),
    );
  });

  it('batch and one-by-one appends agree (leaf bytes or stored leaf hashes)', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const one = treeOf(leaves);
        const fromHashes = new MerkleTree();
        for (const l of leaves) fromHashes.appendLeafHash(leafHash(l));
        expect(fromHashes.root()).toEqual(one.root());
        expect(one.root()).toEqual(naiveRoot(leaves));
      }),
    );
  });
});

/**
 * Whether the audit path of `index` turns the same way at every level in trees of size `a` and `b`. A proof only
 * carries sibling hashes, not sibling sizes, so RFC 9162 verification cannot tell such sizes apart (the root still
 * binds the content); the property demands failure for every other size.
 */
function sameShape(index: number, a: number, b: number): boolean {
  if (index >= b) return false;
  const shape = (n: number) => {
    const out: string[] = [];
    let [m, size] = [index, n];
    while (size > 1) {
      let k = 1;
      while (k * 2 < size) k *= 2;
      if (m < k) {
        out.push('L');
        size = k;
      } else {
        out.push('R');
        m -= k;
        size -= k;
      }
    }
    return out.join();
  };
  return shape(a) === shape(b);
}
