import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditLog, Ed25519Signer, exportJsonLines, runCli, SegmentFileStorage } from '@worker-sync/audit-signer';

/** One node's signed audit log, in segment files under its own directory. */
export interface NodeAudit {
  readonly node: string;
  readonly directory: string;
  readonly log: AuditLog;
  readonly storage: SegmentFileStorage;
  readonly signer: Ed25519Signer;
}

/** What the offline verifier said about one node's log. */
export interface AuditVerdict {
  readonly node: string;
  /** Leaves in the log: one per captured and per applied change. */
  readonly leaves: number;
  /** The verifier's exit code (0: the replayed root matches the signed checkpoint). */
  readonly code: number;
  readonly report: Record<string, unknown>;
  /** The same check, for the reader to run: `worker-sync-audit verify replay …`. */
  readonly command: string;
}

/** Opens a fresh audit log for `node` under `root` (a previous run's files there are removed: its key is gone). */
export async function openAudit(root: string, node: string): Promise<NodeAudit> {
  const directory = join(root, node);
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  const storage = await SegmentFileStorage.open({ directory: join(directory, 'log') });
  const signer = Ed25519Signer.generate(`${node}-demo`);
  const log = await AuditLog.open({ origin: `worker-sync.demo/${node}`, storage, signers: [signer] });
  return { node, directory, log, storage, signer };
}

/**
 * Cuts a last signed checkpoint, writes what an auditor receives (the trust policy with the node's public key, the
 * leaves as JSON Lines, the checkpoint note) and runs the offline verifier's replay over them: recompute the Merkle
 * root from the exported leaves and check it against the signed checkpoint.
 */
export async function sealAndVerify(audit: NodeAudit): Promise<AuditVerdict> {
  await audit.log.checkpoint();
  const notes = await audit.log.checkpoints();
  const exported = await exportJsonLines(audit.storage);
  const files = {
    policy: join(audit.directory, 'trust-policy.json'),
    export: join(audit.directory, 'leaves.jsonl'),
    checkpoint: join(audit.directory, 'checkpoint.note'),
  };
  const origin = `worker-sync.demo/${audit.node}`;
  await writeFile(files.policy, JSON.stringify({ origin, keys: [{ key: audit.signer.verifierKey }] }, null, 2));
  await writeFile(files.export, exported);
  await writeFile(files.checkpoint, notes[notes.length - 1] ?? '');
  await audit.log.close();
  const args = ['verify', 'replay', '--export', files.export, '--checkpoint', files.checkpoint];
  args.push('--policy', files.policy);
  const out: string[] = [];
  const code = runCli(
    args,
    (line) => out.push(line),
    (line) => out.push(line),
  );
  return {
    node: audit.node,
    leaves: exported.split('\n').filter((line) => line.length > 0).length,
    code,
    report: out.length > 0 ? (JSON.parse(out[0]!) as Record<string, unknown>) : {},
    command: `worker-sync-audit ${args.join(' ')}`,
  };
}
