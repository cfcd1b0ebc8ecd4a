import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { consistencyProof } from './consistency-proof.js';
import { EMPTY_ROOT, leafHash, nodeHash } from './hash.js';
import { inclusionProof } from './inclusion-proof.js';
import { MerkleTree } from './merkle-tree.js';
import { verifyConsistency } from './verifier/verify-consistency.js';
import { verifyInclusion } from './verifier/verify-inclusion.js';

interface Vectors {
  hasher: Record<string, string>;
  someHash: string;
  leaves: string[];
  roots: string[];
  inclusion: { leaf: number; size: number; proof: string[] }[];
  consistency: { size1: number; size2: number; proof: string[] }[];
}

const v = JSON.parse(
  readFileSync(new URL('../fixtures/rfc6962-merkle-vectors.json', import.meta.url), 'utf8'),
) as Vectors;
const h = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function referenceTree(): MerkleTree {
  const tree = new MerkleTree();
  for (const leaf of v.leaves) tree.appendLeaf(h(leaf));
  return tree;
}

/** The corruptions transparency-dev's verify_test.go probes with (wrong index, size, leaf, root, garbage, bit flips). */
function inclusionProbes(index: bigint, size: bigint, proof: Uint8Array[], root: Uint8Array, leaf: Uint8Array) {
  const probes: [string, bigint, bigint, Uint8Array, Uint8Array[], Uint8Array][] = [
    ['index - 1', index - 1n, size, leaf, proof, root],
    ['index + 1', index + 1n, size, leaf, proof, root],
    ['index ^ 2', index ^ 2n, size, leaf, proof, root],
    ['size * 2', index, size * 2n, leaf, proof, root],
    ['size / 2', index, size / 2n, leaf, proof, root],
    ['wrong leaf', index, size, Buffer.from('WrongLeaf'), proof, root],
    ['empty root', index, size, leaf, proof, EMPTY_ROOT],
    ['random root', index, size, leaf, proof, h(v.someHash)],
    ['trailing garbage', index, size, leaf, [...proof, new Uint8Array()], root],
    ['trailing root', index, size, leaf, [...proof, root], root],
    ['preceding garbage', index, size, leaf, [new Uint8Array(), ...proof], root],
    ['preceding root', index, size, leaf, [root, ...proof], root],
  ];
  proof.forEach((_, i) => {
    const wrong = proof.map((p) => new Uint8Array(p));
    (wrong[i] as Uint8Array)[0] = ((wrong[i] as Uint8Array)[0] as number) ^ 8;
    probes.push([`modified proof[${i}] bit 3`, index, size, leaf, wrong, root]);
  });
  if (proof.length > 0) probes.push(['removed component', index, size, leaf, proof.slice(0, -1), root]);
  if (proof.length > 1)
    probes.push([
      'inserted component',
      index,
      size,
      leaf,
      [proof[0] as Uint8Array, h(v.someHash), ...proof.slice(1)],
      root,
    ]);
  return probes;
}

describe('RFC 6962 hasher vectors (transparency-dev/merkle)', () => {
  it('hashes the empty tree, the empty leaf, a leaf and a node as published', () => {
    expect(hex(EMPTY_ROOT)).toBe(v.hasher.emptyRoot);
    expect(hex(leafHash(new Uint8Array()))).toBe(v.hasher.emptyLeafHash);
    expect(hex(leafHash(Buffer.from('L123456')))).toBe(v.hasher.leafL123456Hash);
    expect(hex(nodeHash(Buffer.from('N123'), Buffer.from('N456')))).toBe(v.hasher.nodeN123N456Hash);
  });
});

describe('the 8-leaf reference tree', () => {
  const tree = referenceTree();

  it('has the published root at every size 1..8', () => {
    for (const [i, root] of v.roots.entries()) expect(hex(tree.root(i + 1))).toBe(root);
  });

  it.each(v.inclusion)('produces and verifies inclusion of leaf $leaf in size $size', ({ leaf, size, proof }) => {
    const index = leaf - 1;
    expect(inclusionProof(tree, index, size).map(hex)).toEqual(proof);
    const root = h(v.roots[size - 1] as string);
    const lh = leafHash(h(v.leaves[index] as string));
    expect(verifyInclusion(BigInt(index), BigInt(size), lh, proof.map(h), root)).toBe(true);
    for (const [desc, i, n, l, p, r] of inclusionProbes(BigInt(index), BigInt(size), proof.map(h), root, lh)) {
      expect(verifyInclusion(i, n, l, p, r), desc).toBe(false);
    }
  });

  it.each(v.consistency)('produces and verifies consistency $size1 → $size2', ({ size1, size2, proof }) => {
    expect(consistencyProof(tree, size1, size2).map(hex)).toEqual(proof);
    const r1 = h(v.roots[size1 - 1] as string);
    const r2 = h(v.roots[size2 - 1] as string);
    const p = proof.map(h);
    expect(verifyConsistency(BigInt(size1), BigInt(size2), r1, r2, p)).toBe(true);
    if (p.length === 0) return;
    const s1 = BigInt(size1);
    const s2 = BigInt(size2);
    const flipped = p.map((_, i) =>
      p.map((x, j) => (j === i ? Uint8Array.from(x, (b, k) => (k === 0 ? b ^ 16 : b)) : x)),
    );
    const probes: [string, bigint, bigint, Uint8Array, Uint8Array, Uint8Array[]][] = [
      ['size1 - 1', s1 - 1n, s2, r1, r2, p],
      ['size1 + 1', s1 + 1n, s2, r1, r2, p],
      ['size1 ^ 2', s1 ^ 2n, s2, r1, r2, p],
      ['size2 * 2', s1, s2 * 2n, r1, r2, p],
      ['size2 / 2', s1, s2 / 2n, r1, r2, p],
      ['wrong root1', s1, s2, Buffer.from('WrongRoot'), r2, p],
      ['wrong root2', s1, s2, r1, Buffer.from('WrongRoot'), p],
      ['swapped roots', s1, s2, r2, r1, p],
      ['empty proof', s1, s2, r1, r2, []],
      ['trailing garbage', s1, s2, r1, r2, [...p, new Uint8Array()]],
      ['trailing root1', s1, s2, r1, r2, [...p, r1]],
      ['trailing root2', s1, s2, r1, r2, [...p, r2]],
      ['preceding garbage', s1, s2, r1, r2, [new Uint8Array(), ...p]],
      ['preceding root1', s1, s2, r1, r2, [r1, ...p]],
      ['preceding root2', s1, s2, r1, r2, [r2, ...p]],
      ['preceding proof[0]', s1, s2, r1, r2, [p[0] as Uint8Array, ...p]],
      ['truncated proof', s1, s2, r1, r2, p.slice(0, -1)],
      ...flipped.map(
        (fp, i) =>
          [`modified proof[${i}] bit 4`, s1, s2, r1, r2, fp] as [
            string,
            bigint,
            bigint,
            Uint8Array,
            Uint8Array,
            Uint8Array[],
          ],
      ),
    ];
    for (const [desc, a, b, x, y, q] of probes) expect(verifyConsistency(a, b, x, y, q), desc).toBe(false);
  });

  it('rejects the degenerate consistency cases of verify_test.go', () => {
    const r1 = Buffer.from("don't care 1");
    const r2 = Buffer.from("don't care 2");
    const empty = EMPTY_ROOT;
    // Roots that are not 32-byte hashes never verify, and time travel to a smaller tree never does.
    expect(verifyConsistency(1n, 0n, empty, empty, [])).toBe(false);
    expect(verifyConsistency(2n, 1n, empty, empty, [])).toBe(false);
    expect(verifyConsistency(1n, 2n, empty, empty, [])).toBe(false);
    expect(verifyConsistency(0n, 0n, empty, empty, [empty])).toBe(false);
    expect(verifyConsistency(1n, 1n, empty, empty, [empty])).toBe(false);
    expect(verifyConsistency(1n, 1n, r1, r2, [])).toBe(false);
    expect(verifyConsistency(0n, 0n, empty, empty, [])).toBe(true);
    expect(verifyConsistency(0n, 1n, empty, h(v.roots[0] as string), [])).toBe(true);
  });

  it('rejects inclusion in empty or too-small trees', () => {
    const some = h(v.someHash);
    for (const [i, n] of [
      [0n, 0n],
      [1n, 0n],
      [2n, 1n],
    ] as const) {
      expect(verifyInclusion(i, n, some, [], EMPTY_ROOT)).toBe(false);
    }
    const one = leafHash(Buffer.from('data'));
    expect(verifyInclusion(0n, 1n, one, [], one)).toBe(true);
    expect(verifyInclusion(0n, 1n, new Uint8Array(), [], one)).toBe(false);
  });
});
