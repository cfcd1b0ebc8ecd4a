import { formatCheckpoint } from './checkpoint.js';
import type { MerkleTree } from './merkle-tree.js';
import { signNote } from './signed-note.js';
import type { Signer } from './signer.js';

/** A checkpoint that was signed and stored. */
export interface CutCheckpoint {
  readonly size: number;
  readonly note: string;
}

/**
 * Cuts signed checkpoints off the write path: after every `everyEntries` new leaves or every `intervalMs`, whichever
 * comes first. Signing (possibly a remote KMS call) runs in the background, one checkpoint at a time.
 */
export class Checkpointer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CutCheckpoint | undefined> | undefined;
  private lastSize: number;
  private readonly listeners: ((cp: CutCheckpoint) => void)[] = [];

  constructor(
    private readonly origin: string,
    private readonly tree: MerkleTree,
    private readonly signers: () => readonly Signer[],
    private readonly store: (note: string) => Promise<void>,
    private readonly everyEntries: number,
    intervalMs: number,
    /** Size of the newest stored checkpoint, -1 when there is none. */
    lastSize: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.lastSize = lastSize;
    if (intervalMs > 0) {
      this.timer = setInterval(() => void this.cutIfBehind().catch(onError), intervalMs);
      this.timer.unref();
    }
  }

  /** Size of the newest stored checkpoint (-1 before the first). */
  get checkpointedSize(): number {
    return this.lastSize;
  }

  /** Calls `listener` after each checkpoint is stored. */
  onCheckpoint(listener: (cp: CutCheckpoint) => void): void {
    this.listeners.push(listener);
  }

  /** Called after leaves were appended: starts a background cut when enough entries are waiting. */
  afterAppend(): void {
    if (this.tree.size - this.lastSize >= this.everyEntries && this.running === undefined) {
      void this.cutIfBehind().catch(this.onError);
    }
  }

  /** Cuts a checkpoint of the current tree now unless one already covers it; waits for a cut in progress first. */
  async cutIfBehind(): Promise<CutCheckpoint | undefined> {
    while (this.running !== undefined) await this.running;
    if (this.tree.size === this.lastSize) return undefined;
    this.running = this.cut().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops the timer. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async cut(): Promise<CutCheckpoint> {
    const size = this.tree.size;
    const text = formatCheckpoint({ origin: this.origin, size: BigInt(size), root: this.tree.root(size) });
    const note = await signNote(text, this.signers());
    await this.store(note);
    this.lastSize = size;
    const cp = { size, note };
    for (const listener of this.listeners) listener(cp);
    return cp;
  }
}
