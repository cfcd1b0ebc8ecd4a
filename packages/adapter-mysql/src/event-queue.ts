/**
 * A FIFO between a push producer (binlog events arriving on a socket) and a pull consumer (an async generator),
 * with a high-water mark the producer checks to pause reading.
 */
export class EventQueue<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.wake();
  }

  /** Ends the queue: the consumer drains what is left, then gets undefined. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Drops everything queued (a restart re-reads it from the log). */
  clear(): void {
    this.items.length = 0;
  }

  /** The next item, waiting for one; undefined once closed and drained. */
  async take(): Promise<T | undefined> {
    while (this.items.length === 0) {
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
    return this.items.shift();
  }

  /** The next item if one is queued now. */
  poll(): T | undefined {
    return this.items.shift();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
