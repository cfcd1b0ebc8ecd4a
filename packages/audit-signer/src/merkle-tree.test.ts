import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { consistencyProof } from './consistency-proof.js';
import { EMPTY_ROOT, leafHash, nodeHash } from './hash.js';
import { inclusionProof } from './inclusion-proof.js';
import { MerkleTree } from './merkle-tree.js';
import { ReplayRoot } from './verifier/replay-root.js';
import { verifyConsistency } from './verifier/verify-consistency.js';
import { verifyInclusion } from './verifier/verify-inclusion.js';

// Past 4,096 leaves the leaf level spills into a second storage chunk, and every level above fills several of its
// smaller chunks: the property tests' small trees never get there.
const COUNT = 9_000;
const leaves = Array.from({ length: COUNT }, (_, i) => Buffer.from(`leaf ${i}`));
const hashes = leaves.map((leaf) => leafHash(leaf));

describe('MerkleTree across storage chunks', () => {
  const tree = new MerkleTree();
  const replay = new ReplayRoot();
  const replayRoots = new Map<number, Uint8Array>();
  const checkAt = new Set([1, 63, 64, 65, 4095, 4096, 4097, 8191, 8192, 8193, COUNT]);
  for (const [i, leaf] of leaves.entries()) {
    tree.appendLeaf(leaf);
    replay.push(hashes[i] as Uint8Array);
    if (checkAt.has(i + 1)) replayRoots.set(i + 1, replay.root());
  }

  it('has the verifier replay root at every historical size around the chunk edges', () => {
    for (const [size, root] of replayRoots) expect(Buffer.from(tree.root(size))).toEqual(Buffer.from(root));
  });

  it('returns stored leaf hashes from every chunk', () => {
    for (const i of [0, 4095, 4096, 8191, 8192, COUNT - 1]) {
      expect(Buffer.from(tree.leafHashAt(i))).toEqual(hashes[i]);
    }
    expect(() => tree.leafHashAt(COUNT)).toThrow(RangeError);
  });

  it('gives inclusion and consistency proofs that verify across chunk edges', () => {
    const root = tree.root();
    for (const i of [0, 4095, 4096, 8191, 8192, COUNT - 1]) {
      const proof = inclusionProof(tree, i, COUNT);
      expect(verifyInclusion(BigInt(i), BigInt(COUNT), hashes[i] as Uint8Array, proof, root)).toBe(true);
    }
    for (const m of [4096, 4097, 8192]) {
      const proof = consistencyProof(tree, m, COUNT);
      expect(verifyConsistency(BigInt(m), BigInt(COUNT), tree.root(m), root, proof)).toBe(true);
    }
  });

  it('a batch of leaf hashes builds the same tree as one-by-one appends', () => {
    const batched = new MerkleTree();
    batched.appendLeafHashes(hashes.slice(0, 5000));
    batched.appendLeafHashes(hashes.slice(5000));
    expect(Buffer.from(batched.root())).toEqual(Buffer.from(tree.root()));
  });

  it('hands out copies: changing a returned hash does not change the tree', () => {
    const before = Buffer.from(tree.root());
    const leaf = tree.leafHashAt(4096);
    leaf.fill(0);
    tree.subtreeHash(0, 4096).fill(0);
    tree.root().fill(0);
    expect(Buffer.from(tree.root())).toEqual(before);
    expect(Buffer.from(tree.leafHashAt(4096))).toEqual(hashes[4096]);
  });

  it('keeps the RFC 9162 hashes for inputs of any length', () => {
    const sha = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();
    expect(Buffer.from(new MerkleTree().root())).toEqual(sha());
    expect(Buffer.from(EMPTY_ROOT)).toEqual(sha());
    for (const size of [0, 1, 1023, 1024, 5000, 65_535, 100_000]) {
      const leaf = Buffer.alloc(size, size % 251);
      expect(leafHash(leaf)).toEqual(sha(Buffer.from([0]), leaf));
    }
    const [a, b] = [hashes[0] as Buffer, hashes[1] as Buffer];
    expect(nodeHash(a, b)).toEqual(sha(Buffer.from([1]), a, b));
    const [short, long] = [Buffer.alloc(3, 1), Buffer.alloc(40, 2)];
    expect(nodeHash(short, long)).toEqual(sha(Buffer.from([1]), short, long));
  });
});
