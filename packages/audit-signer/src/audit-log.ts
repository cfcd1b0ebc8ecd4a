import type { AuditRecord, AuditSink } from '@worker-sync/core';
import type { AuditStorage } from './audit-storage.js';
import { Checkpointer, type CutCheckpoint } from './checkpointer.js';
import { consistencyProof } from './consistency-proof.js';
import { leafHash } from './hash.js';
import { inclusionProof } from './inclusion-proof.js';
import {
  type ControlLeaf,
  changeLeafOf,
  decodeLeaf,
  dedupKeyOf,
  encodeLeaf,
  type LeafContent,
} from './leaf-encoding.js';
import { MerkleTree } from './merkle-tree.js';
import { SequencerLock } from './sequencer-lock.js';
import type { Signer } from './signer.js';

/** Options of {@link AuditLog.open}. */
export interface AuditLogOptions {
  /** The log's origin line in checkpoints, e.g. `audit.example.com/orders`. */
  readonly origin: string;
  readonly storage: AuditStorage;
  /** Keys that sign checkpoints; during a rotation several sign each checkpoint. */
  readonly signers: readonly Signer[];
  /** Cut a checkpoint after this many new leaves (default 10,000). */
  readonly checkpointEvery?: number;
  /** Cut a checkpoint at least this often while leaves are waiting, in ms (default 1,000; 0 disables the timer). */
  readonly checkpointIntervalMs?: number;
  /** Receives errors of background checkpoint cuts (default: rethrown on the next explicit checkpoint call). */
  readonly onError?: (error: unknown) => void;
  /** Wall clock in microseconds, for control leaves. */
  readonly nowMicros?: () => bigint;
}

/** What one append did. */
export interface AppendResult {
  /** Leaves written. */
  readonly appended: number;
  /** Records already in the log (redeliveries), skipped. */
  readonly duplicates: number;
  /** Index of the first written leaf, if any was written. */
  readonly firstIndex?: number;
}

/**
 * The append-only, signed audit log: an RFC 9162 Merkle tree over canonical leaves, one leaf per change (deduplicated
 * by change identity before sequencing), signed C2SP checkpoints cut in the background. Implements core's
 * `AuditSink`, so the engine records every captured and applied change by handing it this log.
 *
 * @example
 * ```ts
 * const log = await AuditLog.open({ origin: 'audit.example/orders',
 *   storage: await SegmentFileStorage.open({ directory: './audit' }), signers: [Ed25519Signer.generate('orders-2026')] });
 * const engine = new SyncEngine({ ..., audit: log });
 * ```
 */
export class AuditLog implements AuditSink {
  private readonly lock = new SequencerLock();
  private signers: Signer[];
  private backgroundError: unknown;

  private constructor(
    readonly origin: string,
    private readonly storage: AuditStorage,
    private readonly tree: MerkleTree,
    private readonly seen: Set<string>,
    signers: readonly Signer[],
    private readonly checkpointer: Checkpointer,
    private readonly nowMicros: () => bigint,
  ) {
    this.signers = [...signers];
  }

  /** Opens a log over `storage`, rebuilding the tree and the dedup index from the stored leaves. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    if (options.signers.length === 0) throw new TypeError('an audit log needs at least one checkpoint signer');
    const tree = new MerkleTree();
    const seen = new Set<string>();
    await options.storage.scanLeaves((_index, leaf) => {
      tree.appendLeaf(leaf);
      const key = dedupKeyOf(decodeLeaf(leaf));
      if (key !== undefined) seen.add(key);
    });
    const checkpoints = await options.storage.readCheckpoints();
    const last = checkpoints[checkpoints.length - 1];
    const lastSize = last === undefined ? -1 : Number(last.split('\n')[1]);
    let log: AuditLog | undefined;
    const onError = options.onError ?? ((error: unknown) => log?.recordBackgroundError(error));
    const checkpointer = new Checkpointer(
      options.origin,
      tree,
      () => log?.signers ?? options.signers,
      (note) => options.storage.appendCheckpoint(note),
      options.checkpointEvery ?? 10_000,
      options.checkpointIntervalMs ?? 1_000,
      lastSize,
      onError,
    );
    log = new AuditLog(
      options.origin,
      options.storage,
      tree,
      seen,
      options.signers,
      checkpointer,
      options.nowMicros ?? wallMicros,
    );
    return log;
  }

  /** Number of leaves. */
  get size(): number {
    return this.tree.size;
  }

  /** Root hash of the first `size` leaves (default all). */
  root(size?: number): Uint8Array {
    return this.tree.root(size);
  }

  /** core's `AuditSink`: records captured and applied changes, exactly one leaf per change. */
  async append(records: readonly AuditRecord[]): Promise<void> {
    await this.appendRecords(records);
  }

  /**
   * Records captured and applied changes; a record already in the log (a redelivery) is skipped. `transaction` is
   * handed to the storage, e.g. the PostgreSQL sink's client inside its BEGIN.
   */
  appendRecords(records: readonly AuditRecord[], options: { transaction?: unknown } = {}): Promise<AppendResult> {
    return this.appendContents(records.map(changeLeafOf), options.transaction);
  }

  /** Appends a control leaf (key transition, redaction, resync) and returns its index. */
  async appendControl(type: ControlLeaf['type'], details: Readonly<Record<string, string>>): Promise<number> {
    const result = await this.appendContents([{ type, atMicros: this.nowMicros().toString(), details }]);
    return result.firstIndex as number;
  }

  /**
   * Starts a key rotation: records a `key-transition` leaf naming the new key, then signs every later checkpoint
   * with both keys until {@link retireKey} is called, so verifiers on either trust policy keep working.
   */
  async rotateKey(next: Signer): Promise<number> {
    const index = await this.appendControl('key-transition', {
      action: 'add',
      keyName: next.keyName,
      keyId: hex8(next.keyId),
    });
    this.signers = [...this.signers, next];
    return index;
  }

  /** Ends a rotation: records the retirement and stops signing with `keyName`. */
  async retireKey(keyName: string): Promise<number> {
    const old = this.signers.find((s) => s.keyName === keyName);
    if (old === undefined) throw new Error(`no checkpoint signer named ${keyName}`);
    if (this.signers.length === 1) throw new Error('cannot retire the only checkpoint signer');
    const index = await this.appendControl('key-transition', { action: 'retire', keyName, keyId: hex8(old.keyId) });
    this.signers = this.signers.filter((s) => s !== old);
    return index;
  }

  /** Cuts, signs and stores a checkpoint of the current tree now (if the newest one does not already cover it). */
  async checkpoint(): Promise<CutCheckpoint | undefined> {
    const pending = this.backgroundError;
    if (pending !== undefined) {
      this.backgroundError = undefined;
      throw pending;
    }
    return this.checkpointer.cutIfBehind();
  }

  /** Calls `listener` after every checkpoint is stored. */
  onCheckpoint(listener: (cp: CutCheckpoint) => void): void {
    this.checkpointer.onCheckpoint(listener);
  }

  /** Every stored signed checkpoint, oldest first. */
  checkpoints(): Promise<string[]> {
    return this.storage.readCheckpoints();
  }

  /** Audit path of leaf `index` in the tree of `size` leaves (default: the current size). */
  inclusionProof(index: number, size: number = this.tree.size): Uint8Array[] {
    return inclusionProof(this.tree, index, size);
  }

  /** Proof that the tree of `oldSize` leaves is a prefix of the tree of `newSize` leaves. */
  consistencyProof(oldSize: number, newSize: number = this.tree.size): Uint8Array[] {
    return consistencyProof(this.tree, oldSize, newSize);
  }

  /** Stored hash of leaf `index`. */
  leafHash(index: number): Uint8Array {
    return this.tree.leafHashAt(index);
  }

  /** Stops background checkpoints, cuts a last one and closes the storage. */
  async close(): Promise<void> {
    this.checkpointer.stop();
    await this.lock.run(async () => undefined);
    await this.checkpointer.cutIfBehind();
    await this.storage.close();
  }

  private appendContents(contents: readonly LeafContent[], transaction?: unknown): Promise<AppendResult> {
    return this.lock.run(async () => {
      const fresh: Uint8Array[] = [];
      // Keys go into `seen` at once (which also catches duplicates within the batch) and come out again if the
      // batch does not reach storage: appends are serialised, so nothing else observes them in between.
      const claimed: string[] = [];
      try {
        for (const content of contents) {
          const key = dedupKeyOf(content);
          if (key !== undefined) {
            if (this.seen.has(key)) continue;
            this.seen.add(key);
            claimed.push(key);
          }
          fresh.push(encodeLeaf(content));
        }
        if (fresh.length === 0) return { appended: 0, duplicates: contents.length };
        const firstIndex = this.tree.size;
        // Storage first: the tree (and so any checkpoint) only ever covers leaves that are durably stored. The leaf
        // hashes are computed while the write and its sync are in flight, and enter the tree once they are done.
        const stored = this.storage.appendLeaves(firstIndex, fresh, transaction);
        let hashes: Uint8Array[];
        try {
          hashes = fresh.map((leaf) => leafHash(leaf));
        } catch (error) {
          await stored.catch(() => undefined);
          throw error;
        }
        await stored;
        // Stored: from here on the keys stay claimed whatever happens, or a retry would write the changes twice.
        claimed.length = 0;
        this.tree.appendLeafHashes(hashes);
        this.checkpointer.afterAppend();
        return { appended: fresh.length, duplicates: contents.length - fresh.length, firstIndex };
      } catch (error) {
        for (const key of claimed) this.seen.delete(key);
        throw error;
      }
    });
  }

  private recordBackgroundError(error: unknown): void {
    this.backgroundError = error;
  }
}

function hex8(id: number): string {
  return id.toString(16).padStart(8, '0');
}

function wallMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}
