import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An idempotent sink record shared by processes. Applying (batch id, row) appends the change to its row's log,
 * then creates a marker file exclusively (`wx`): the marker is the commit point, so a redelivered change whose
 * marker exists is recognised and not applied again, even by another process.
 *
 * A SIGKILL can land between the append and the marker. The change is then redelivered and appended a second
 * time, as a real sink's uncommitted transaction would be replayed; {@link AppliedRecord.rows} keeps the first
 * entry of each batch, which is where the change was first applied in order.
 */
export class AppliedRecord {
  constructor(private readonly dir: string) {
    mkdirSync(join(dir, 'marks'), { recursive: true });
    mkdirSync(join(dir, 'rows'), { recursive: true });
  }

  /** Applies one change once: true when newly applied, false when it was a redelivery. */
  apply(batchId: string, row: number, seq: number): boolean {
    const mark = join(this.dir, 'marks', encodeURIComponent(`${batchId}|${row}`));
    if (existsSync(mark)) return false;
    appendFileSync(join(this.dir, 'rows', String(row)), `${encodeURIComponent(batchId)} ${seq}\n`);
    try {
      writeFileSync(mark, String(seq), { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    return true;
  }

  /** Per row, the sequence numbers in the order they were first applied. */
  rows(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    const rowsDir = join(this.dir, 'rows');
    if (!existsSync(rowsDir)) return out;
    for (const file of readdirSync(rowsDir)) {
      const firstByBatch = new Map<string, number>();
      for (const line of readFileSync(join(rowsDir, file), 'utf8').split('\n').filter(Boolean)) {
        const [batchId = '', seq = ''] = line.split(' ');
        if (!firstByBatch.has(batchId)) firstByBatch.set(batchId, Number(seq));
      }
      out.set(Number(file), [...firstByBatch.values()]);
    }
    return out;
  }

  /** How many changes were applied. */
  count(): number {
    return readdirSync(join(this.dir, 'marks')).length;
  }
}
