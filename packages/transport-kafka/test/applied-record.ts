import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An idempotent sink record shared by processes: applying (batch id, row) creates a marker file exclusively
 * (`wx`), so a redelivered change is recognised and not applied again even by another process, and each newly
 * applied change is appended to its row's log in apply order.
 */
export class AppliedRecord {
  constructor(private readonly dir: string) {
    mkdirSync(join(dir, 'marks'), { recursive: true });
    mkdirSync(join(dir, 'rows'), { recursive: true });
  }

  /** Applies one change once: true when newly applied, false when it was a redelivery. */
  apply(batchId: string, row: number, seq: number): boolean {
    const mark = join(this.dir, 'marks', encodeURIComponent(`${batchId}|${row}`));
    try {
      writeFileSync(mark, String(seq), { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    appendFileSync(join(this.dir, 'rows', String(row)), `${seq}\n`);
    return true;
  }

  /** Per row, the sequence numbers in the order they were applied. */
  rows(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    const rowsDir = join(this.dir, 'rows');
    if (!existsSync(rowsDir)) return out;
    for (const file of readdirSync(rowsDir)) {
      const seqs = readFileSync(join(rowsDir, file), 'utf8').split('\n').filter(Boolean).map(Number);
      out.set(Number(file), seqs);
    }
    return out;
  }

  /** How many changes were applied. */
  count(): number {
    return readdirSync(join(this.dir, 'marks')).length;
  }
}
