/**
 * Where the log keeps its leaves and signed checkpoints. Append-only: nothing is ever rewritten. Leaves are stored
 * in index order; a store holds exactly the leaves 0..n-1 after any crash (a torn tail is dropped on open).
 *
 * @example
 * ```ts
 * const storage = await SegmentFileStorage.open({ directory: './audit' });
 * const log = await AuditLog.open({ origin: 'audit.example/orders', storage, signers: [signer] });
 * ```
 */
export interface AuditStorage {
  /** Visits every stored leaf in index order. */
  scanLeaves(visit: (index: number, leaf: Uint8Array) => void): Promise<void>;
  /** Every stored signed checkpoint note, oldest first. */
  readCheckpoints(): Promise<string[]>;
  /**
   * Durably appends leaves `firstIndex ..`. `transaction` is a storage-specific handle (a pg client inside BEGIN for
   * {@link PostgresStorage}) so the append commits or rolls back with the caller's own writes.
   */
  appendLeaves(firstIndex: number, leaves: readonly Uint8Array[], transaction?: unknown): Promise<void>;
  /** Durably appends one signed checkpoint note. */
  appendCheckpoint(note: string): Promise<void>;
  close(): Promise<void>;
}
