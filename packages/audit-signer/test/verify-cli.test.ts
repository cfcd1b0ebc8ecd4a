import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLog,
  Ed25519Signer,
  exportCheckpointChain,
  exportJsonLines,
  inclusionBundle,
  SegmentFileStorage,
} from '../src/index.js';
import { capturedRecord } from '../src/test-events.js';
import { runVerifier } from './cli-runner.js';

const ORIGIN = 'audit.example/orders';
const signer = Ed25519Signer.generate('orders-2026');
let dir: string;
let files: Record<string, string>;
let notes: string[];
let exportLines: string[];
let chainLines: string[];

async function buildLog(subdir: string, ids: number[], cutAt: number[]) {
  const storage = await SegmentFileStorage.open({ directory: join(dir, subdir), sync: false });
  const log = await AuditLog.open({
    origin: ORIGIN,
    storage,
    signers: [signer],
    checkpointIntervalMs: 0,
    checkpointEvery: 1e9,
  });
  for (const id of ids) {
    await log.appendRecords([capturedRecord(id)]);
    if (cutAt.includes(log.size)) await log.checkpoint();
  }
  return { log, storage };
}

async function put(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-cli-'));
  const { log, storage } = await buildLog(
    'main',
    Array.from({ length: 20 }, (_, i) => i + 1),
    [5, 10, 20],
  );
  notes = await log.checkpoints();
  const exported = await exportJsonLines(storage);
  exportLines = exported.trim().split('\n');
  const chain = await exportCheckpointChain(log);
  chainLines = chain.trim().split('\n');
  // A fork: same key, same first 5 leaves, then different history.
  const fork = await buildLog('fork', [1, 2, 3, 4, 5, 100, 101, 102, 103, 104], [10]);
  const forkNote = (await fork.log.checkpoints())[0] as string;
  files = {
    policy: await put('policy.json', JSON.stringify({ origin: ORIGIN, keys: [{ key: signer.verifierKey }] })),
    revoked: await put(
      'revoked.json',
      JSON.stringify({ origin: ORIGIN, keys: [{ key: signer.verifierKey, revokedFromSize: '10' }] }),
    ),
    export: await put('leaves.jsonl', exported),
    chain: await put('checkpoints.jsonl', chain),
    cp5: await put('cp5.note', notes[0] as string),
    cp10: await put('cp10.note', notes[1] as string),
    cp20: await put('cp20.note', notes[2] as string),
    fork10: await put('fork10.note', forkNote),
    proof5to20: await put(
      'proof-5-20.json',
      JSON.stringify(log.consistencyProof(5, 20).map((h) => Buffer.from(h).toString('base64'))),
    ),
    proof10to20: await put(
      'proof-10-20.json',
      JSON.stringify(log.consistencyProof(10, 20).map((h) => Buffer.from(h).toString('base64'))),
    ),
    bundle: await put('bundle.json', JSON.stringify(await inclusionBundle(log, storage, 7))),
  };
  await log.close();
  await fork.log.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const withPolicy = (...args: string[]) => [...args, '--policy', files.policy as string];

describe('worker-sync-audit verify on an honest log', () => {
  it('replays the export to the signed root (exit 0, deterministic report)', () => {
    const a = runVerifier(
      withPolicy('verify', 'replay', '--export', files.export as string, '--checkpoint', files.cp20 as string),
    );
    expect(a.code).toBe(0);
    expect(a.report).toMatchObject({
      command: 'replay',
      ok: true,
      result: { leaves: 20, treeSize: '20', signedBy: ['orders-2026'] },
    });
    const b = runVerifier(
      withPolicy('verify', 'replay', '--export', files.export as string, '--checkpoint', files.cp20 as string),
    );
    expect(b.report).toEqual(a.report);
  });

  it('verifies the checkpoint chain, an inclusion bundle and a consistency proof', () => {
    expect(runVerifier(withPolicy('verify', 'chain', '--checkpoints', files.chain as string)).code).toBe(0);
    expect(runVerifier(withPolicy('verify', 'inclusion', '--bundle', files.bundle as string)).code).toBe(0);
    const c = runVerifier(
      withPolicy(
        'verify',
        'consistency',
        '--old',
        files.cp5 as string,
        '--new',
        files.cp20 as string,
        '--proof',
        files.proof5to20 as string,
      ),
    );
    expect(c).toMatchObject({ code: 0, report: { ok: true, result: { oldSize: '5', newSize: '20' } } });
  });
});

describe('worker-sync-audit verify on tampered storage', () => {
  it('a rewritten leaf fails replay with exit 3', async () => {
    const entry = JSON.parse(exportLines[3] as string);
    const leaf = Buffer.from(entry.leaf, 'base64').toString('utf8').replace('"op":"update"', '"op":"delete"');
    const lines = [...exportLines];
    lines[3] = JSON.stringify({ ...entry, leaf: Buffer.from(leaf).toString('base64') });
    const r = runVerifier(
      withPolicy(
        'verify',
        'replay',
        '--export',
        await put('rewritten.jsonl', lines.join('\n')),
        '--checkpoint',
        files.cp20 as string,
      ),
    );
    expect(r).toMatchObject({ code: 3, report: { ok: false, failure: 'inclusion' } });
  });

  it('a truncated log fails replay with exit 3', async () => {
    const r = runVerifier(
      withPolicy(
        'verify',
        'replay',
        '--export',
        await put('truncated.jsonl', exportLines.slice(0, 17).join('\n')),
        '--checkpoint',
        files.cp20 as string,
      ),
    );
    expect(r).toMatchObject({ code: 3, report: { failure: 'inclusion' } });
    expect(String(r.report.message)).toMatch(/truncated/);
  });

  it('reordered leaves fail replay with exit 3', async () => {
    const lines = exportLines.map((l) => JSON.parse(l));
    [lines[4], lines[5]] = [lines[5], lines[4]];
    const renumbered = lines.map((l, i) => JSON.stringify({ ...l, index: i })).join('\n');
    const r = runVerifier(
      withPolicy(
        'verify',
        'replay',
        '--export',
        await put('reordered.jsonl', renumbered),
        '--checkpoint',
        files.cp20 as string,
      ),
    );
    expect(r).toMatchObject({ code: 3, report: { failure: 'inclusion' } });
  });

  it('forked checkpoints fail chain and consistency with exit 4', async () => {
    const chain = [JSON.parse(chainLines[0] as string), JSON.parse(chainLines[1] as string)];
    const forked = `${JSON.stringify({ note: chain[0].note, consistencyToNext: chain[0].consistencyToNext })}\n${JSON.stringify({ note: await readFile(files.fork10 as string, 'utf8') })}\n`;
    const r = runVerifier(withPolicy('verify', 'chain', '--checkpoints', await put('forked-chain.jsonl', forked)));
    expect(r).toMatchObject({ code: 4, report: { failure: 'consistency' } });
    const c = runVerifier(
      withPolicy(
        'verify',
        'consistency',
        '--old',
        files.fork10 as string,
        '--new',
        files.cp20 as string,
        '--proof',
        files.proof10to20 as string,
      ),
    );
    expect(c).toMatchObject({ code: 4, report: { failure: 'consistency' } });
  });

  it('a checkpoint signed by a revoked key fails with exit 2, and so does a forged signature', async () => {
    const r = runVerifier([
      'verify',
      'replay',
      '--export',
      files.export as string,
      '--checkpoint',
      files.cp20 as string,
      '--policy',
      files.revoked as string,
    ]);
    expect(r).toMatchObject({ code: 2, report: { failure: 'bad-signature' } });
    const note = notes[2] as string;
    const forged = note.replace(/\n20\n/, '\n21\n');
    const f = runVerifier(
      withPolicy(
        'verify',
        'replay',
        '--export',
        files.export as string,
        '--checkpoint',
        await put('forged.note', forged),
      ),
    );
    expect(f).toMatchObject({ code: 2, report: { failure: 'bad-signature' } });
  });

  it('malformed input fails with exit 5, and bad usage with 64', async () => {
    const garbage = await put('garbage.note', 'not a checkpoint\n');
    expect(
      runVerifier(withPolicy('verify', 'replay', '--export', files.export as string, '--checkpoint', garbage)).code,
    ).toBe(5);
    expect(runVerifier(withPolicy('verify', 'inclusion', '--bundle', await put('bad.json', '{not json'))).code).toBe(5);
    expect(runVerifier(['verify', 'chain', '--checkpoints', files.chain as string, '--policy', garbage]).code).toBe(5);
    expect(runVerifier(['verify', 'nonsense']).code).toBe(64);
  });
});
