import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLog,
  decodeLeaf,
  Ed25519Signer,
  exportJsonLines,
  leafHash,
  parseTrustPolicy,
  ReplayRoot,
  SegmentFileStorage,
  verifyReplay,
} from '../src/index.js';

const CHILD = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
const seed = randomBytes(32);
const signer = Ed25519Signer.fromSeed('crash-test', seed);
const policy = parseTrustPolicy(JSON.stringify({ origin: 'audit.example/crash', keys: [{ key: signer.verifierKey }] }));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts the writer, waits until it has committed past `atLeast` leaves plus a random extra, then SIGKILLs it. */
async function runAndKill(directory: string, mode: string, atLeast: number): Promise<number> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, directory, seed.toString('hex'), mode],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const target = atLeast + Math.floor(Math.random() * 200);
  let committed = 0;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) committed = Math.max(committed, Number(line.split(' ')[1]));
      if (committed >= target) {
        // Kill while the writer is mid-append or mid-signing: it never stops on its own.
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`crash writer exited early (code ${code}, signal ${signal})`));
    });
  });
  await exited;
  return committed;
}

/** Reopens the log and checks: nothing lost, nothing doubled, root = replay of stored leaves, checkpoints valid. */
async function checkRecovered(directory: string, committed: number): Promise<number> {
  const storage = await SegmentFileStorage.open({ directory });
  const log = await AuditLog.open({
    origin: 'audit.example/crash',
    storage,
    signers: [signer],
    checkpointIntervalMs: 0,
  });
  expect(log.size).toBeGreaterThanOrEqual(committed);
  const replay = new ReplayRoot();
  const positions: string[] = [];
  await storage.scanLeaves((index, leaf) => {
    replay.push(leafHash(leaf));
    const content = decodeLeaf(leaf);
    if (content.type !== 'change') throw new Error(`unexpected control leaf at ${index}`);
    positions.push(content.position);
  });
  // Leaf i is change i + 1: no gap, no duplicate, no reordering across restarts.
  expect(positions).toEqual(positions.map((_, i) => String(i + 1).padStart(16, '0')));
  expect(replay.root()).toEqual(log.root());
  const exported = await exportJsonLines(storage);
  for (const note of await log.checkpoints()) verifyReplay(exported, note, policy);
  const size = log.size;
  await log.close();
  return size;
}

describe('kill -9 of the audit writer', () => {
  it('during appends: after each restart nothing committed is lost and redelivered changes are not doubled', async () => {
    const directory = join(dir, 'append');
    let last = 0;
    for (let round = 0; round < 3; round++) {
      const committed = await runAndKill(directory, 'append', last + 100);
      last = await checkRecovered(directory, committed);
    }
    expect(last).toBeGreaterThan(300);
  }, 120_000);

  it('during checkpoint signing: stored checkpoints stay valid and the log recovers', async () => {
    const directory = join(dir, 'checkpoint');
    let last = 0;
    for (let round = 0; round < 3; round++) {
      const committed = await runAndKill(directory, 'checkpoint', last + 30);
      last = await checkRecovered(directory, committed);
    }
    expect(last).toBeGreaterThan(90);
  }, 120_000);
});
