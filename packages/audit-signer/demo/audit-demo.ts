/**
 * The audit log end to end, as an operator and an auditor would see it: write a signed log, export what an auditor
 * receives, and have the `worker-sync-audit` CLI verify it in a separate process, then show what a rewritten leaf
 * looks like to the verifier. Exits 0 only if every verification gives the expected exit code.
 *
 * Run: `pnpm --filter @worker-sync/audit-signer demo [directory]` (default: a fresh temporary directory).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AuditLog,
  Ed25519Signer,
  exportCheckpointChain,
  exportJsonLines,
  inclusionBundle,
  SegmentFileStorage,
} from '../src/index.js';
import { capturedRecord } from '../src/test-events.js';

const ORIGIN = 'audit.example.com/orders';
const CHANGES = 1_000;
const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

/** One CLI run: what the auditor typed, the exit code and the JSON report. */
interface Verification {
  readonly args: readonly string[];
  readonly code: number;
  readonly report: string;
}

async function main(): Promise<void> {
  const dir = process.argv[2] ?? (await mkdtemp(join(tmpdir(), 'audit-demo-')));
  await mkdir(dir, { recursive: true });
  const files = await writeSignedLog(dir);
  console.log(`audit files in ${dir}`);
  const checks: { what: string; expected: number; run: Verification }[] = [
    { what: 'replay the export against the newest checkpoint', expected: 0, run: verify('replay', files) },
    { what: 'every checkpoint extends the previous one (no fork)', expected: 0, run: verify('chain', files) },
    { what: 'one change is in the signed tree', expected: 0, run: verify('inclusion', files) },
    { what: "leaf 2's op rewritten from update to delete", expected: 3, run: verify('replay', await tamper(files)) },
  ];
  let failed = 0;
  for (const { what, expected, run } of checks) {
    const ok = run.code === expected;
    if (!ok) failed += 1;
    console.log(`\n${ok ? 'as expected' : 'UNEXPECTED'}: ${what}`);
    console.log(`$ worker-sync-audit ${run.args.join(' ')}`);
    console.log(run.report);
    console.log(`exit ${run.code} (expected ${expected})`);
  }
  process.exitCode = failed === 0 ? 0 : 1;
}

/** The operator's side: a log of {@link CHANGES} changes (one batch redelivered), checkpointed, then exported. */
async function writeSignedLog(dir: string): Promise<Record<string, string>> {
  const signer = Ed25519Signer.generate('orders-2026');
  const storage = await SegmentFileStorage.open({ directory: join(dir, 'log') });
  const log = await AuditLog.open({
    origin: ORIGIN,
    storage,
    signers: [signer],
    checkpointEvery: 250,
    checkpointIntervalMs: 0,
  });
  for (let first = 1; first <= CHANGES; first += 100) {
    const batch = Array.from({ length: 100 }, (_, i) => capturedRecord(first + i));
    await log.appendRecords(batch);
    await log.checkpoint();
  }
  const redelivered = await log.appendRecords(Array.from({ length: 100 }, (_, i) => capturedRecord(401 + i)));
  console.log(`${log.size} leaves; a redelivered batch of 100 added ${redelivered.appended} (exactly once)`);
  const notes = await log.checkpoints();
  const files = {
    export: join(dir, 'leaves.jsonl'),
    checkpoints: join(dir, 'checkpoints.jsonl'),
    checkpoint: join(dir, 'latest.note'),
    policy: join(dir, 'policy.json'),
    bundle: join(dir, 'bundle.json'),
  };
  await writeFile(files.export, await exportJsonLines(storage));
  await writeFile(files.checkpoints, await exportCheckpointChain(log));
  await writeFile(files.checkpoint, notes[notes.length - 1] as string);
  await writeFile(files.policy, JSON.stringify({ origin: ORIGIN, keys: [{ key: signer.verifierKey }] }, null, 2));
  await writeFile(files.bundle, JSON.stringify(await inclusionBundle(log, storage, 123)));
  console.log(`${notes.length} signed checkpoints; the auditor trusts ${signer.verifierKey}`);
  await log.close();
  return files;
}

/** Someone with write access to the storage changes one leaf: the verifier must notice. */
async function tamper(files: Record<string, string>): Promise<Record<string, string>> {
  const lines = (await readFile(files.export as string, 'utf8')).trimEnd().split('\n');
  const entry = JSON.parse(lines[2] as string) as { leaf: string };
  const bytes = Buffer.from(entry.leaf, 'base64').toString('utf8').replace('"op":"update"', '"op":"delete"');
  lines[2] = JSON.stringify({ ...entry, leaf: Buffer.from(bytes, 'utf8').toString('base64') });
  const tampered = (files.export as string).replace(/\.jsonl$/, '.tampered.jsonl');
  await writeFile(tampered, `${lines.join('\n')}\n`);
  return { ...files, export: tampered };
}

function verify(command: 'replay' | 'chain' | 'inclusion', files: Record<string, string>): Verification {
  const inputs: Record<typeof command, string[]> = {
    replay: ['--export', files.export as string, '--checkpoint', files.checkpoint as string],
    chain: ['--checkpoints', files.checkpoints as string],
    inclusion: ['--bundle', files.bundle as string],
  };
  const args = ['verify', command, ...inputs[command], '--policy', files.policy as string];
  const result = spawnSync(process.execPath, ['--import', 'tsx', BIN, ...args], { encoding: 'utf8' });
  return { args, code: result.status ?? -1, report: (result.stdout || result.stderr).trim() };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
