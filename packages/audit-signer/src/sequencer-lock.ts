/** Runs async sections one at a time in call order: the log has a single sequencer, so indexes never interleave. */
export class SequencerLock {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `section` after every earlier section has settled. */
  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section, section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
