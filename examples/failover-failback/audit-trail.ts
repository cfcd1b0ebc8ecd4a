import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuditLog,
  Ed25519Signer,
  exportJsonLines,
  parseTrustPolicy,
  queryChanges,
  SegmentFileStorage,
  verifyReplay,
} from '@worker-sync/audit-signer';

const ORIGIN = 'worker-sync.example/failover-failback';

/** What the audit trail holds at the end and whether an independent replay matches its last signed checkpoint. */
export interface AuditSummary {
  readonly leaves: number;
  readonly captured: number;
  readonly applied: number;
  /** Base64 root of the last signed checkpoint. */
  readonly root: string;
  readonly checkpointSize: number;
  /** The verifier's replay of the exported leaves hashes to the checkpoint's root, signed by the trusted key. */
  readonly replayOk: boolean;
  readonly replayMessage: string;
}

/** The example's audit log: segment files in a fresh temporary directory, checkpoints signed with a new Ed25519 key. */
export class AuditTrail {
  private constructor(
    readonly log: AuditLog,
    private readonly storage: SegmentFileStorage,
    private readonly signer: Ed25519Signer,
    private readonly directory: string,
  ) {}

  /** Opens an empty log in a new temporary directory. */
  static async open(): Promise<AuditTrail> {
    const directory = await mkdtemp(join(tmpdir(), 'worker-sync-ff-audit-'));
    const storage = await SegmentFileStorage.open({ directory });
    const signer = Ed25519Signer.generate('failover-failback');
    const log = await AuditLog.open({
      origin: ORIGIN,
      storage,
      signers: [signer],
      checkpointEvery: 100,
      checkpointIntervalMs: 200,
    });
    return new AuditTrail(log, storage, signer, directory);
  }

  /**
   * Cuts a last checkpoint, exports every stored leaf and replays it with the offline verifier against that signed
   * checkpoint and a trust policy holding only this log's key.
   */
  async verify(): Promise<AuditSummary> {
    await this.log.checkpoint();
    const notes = await this.log.checkpoints();
    const last = notes[notes.length - 1] ?? '';
    const policy = parseTrustPolicy(JSON.stringify({ origin: ORIGIN, keys: [{ key: this.signer.verifierKey }] }));
    const counts = {
      captured: (await queryChanges(this.storage, { kind: 'captured' })).length,
      applied: (await queryChanges(this.storage, { kind: 'applied' })).length,
    };
    try {
      const result = verifyReplay(await exportJsonLines(this.storage), last, policy);
      return {
        leaves: this.log.size,
        ...counts,
        root: String(result.root),
        checkpointSize: Number(result.treeSize),
        replayOk: Number(result.treeSize) === this.log.size,
        replayMessage: `replay of ${String(result.leaves)} leaves equals the checkpoint of size ${String(result.treeSize)}`,
      };
    } catch (error) {
      return {
        leaves: this.log.size,
        ...counts,
        root: Buffer.from(this.log.root()).toString('base64'),
        checkpointSize: Number(last.split('\n')[1] ?? 0),
        replayOk: false,
        replayMessage: String(error),
      };
    }
  }

  /** Closes the log and removes its directory. */
  async close(): Promise<void> {
    await this.log.close().catch(() => undefined);
    await rm(this.directory, { recursive: true, force: true });
  }
}
