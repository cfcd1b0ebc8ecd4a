import type { HybridLogicalClock } from '../clock/hybrid-logical-clock.js';
import type { AuditSink } from '../interfaces/audit-sink.js';
import type { ChangeSink } from '../interfaces/change-sink.js';
import type { ChangeSource } from '../interfaces/change-source.js';
import type { ConflictResolver } from '../interfaces/conflict-resolver.js';
import type { Transport } from '../interfaces/transport.js';
import type { Mapper } from '../mapping/mapper.js';
import type {
  CapturedBatch,
  ChangeBatch,
  ChangeEvent,
  NodeId,
  RowVersion,
  SourcePosition,
} from '../model/change-event.js';
import { currentState, writeBack } from './capture-settled.js';
import {
  abortableDelay,
  backoffDelay,
  StoppedError,
  settledWithin,
  signalled,
  unlessStopped,
} from './capture-waits.js';
import type { EngineHooks } from './engine-hooks.js';
import { type ConflictRecord, judgeChanges, tablePrefix } from './log-judge.js';
import type { LogView } from './log-view.js';
import { rowIdOf } from './row-ids.js';

/** What a {@link CapturePipeline} needs from its engine. */
export interface CaptureDeps {
  readonly node: NodeId;
  readonly source: ChangeSource;
  /** The sink over the same database, for settled write-backs; without one, races are settled in the view only. */
  readonly localSink: ChangeSink | undefined;
  readonly view: LogView;
  readonly clock: HybridLogicalClock;
  readonly resolver: ConflictResolver;
  readonly transport: Transport;
  /** Maps changes for the wire before they are published (outbound mapping of this source), if any. */
  readonly mapper: Mapper | undefined;
  readonly audit: AuditSink | undefined;
  readonly maxEvents: number;
  readonly maxDelayMs: number;
  /** Judged groups that may be publishing at once (1 unless the transport publishes in order). */
  readonly publishWindow: number;
  readonly snapshot: boolean;
  readonly hooks: EngineHooks;
  /** Resolves when the engine is not paused. */
  readonly gate: () => Promise<void>;
  readonly onConflicts: (records: readonly ConflictRecord[]) => void;
  readonly initialPosition: SourcePosition | undefined;
  /** Backoff between attempts after a failure (the engine's `recovery` setting). */
  readonly recovery: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  /** Reports a failed attempt (undefined once an attempt succeeds) and how many in a row failed. */
  readonly onError: (error: unknown, failures: number) => void;
}

/** A judged group whose publish has started, on its way to its checkpoint. */
interface Staged {
  readonly changes: number;
  /** The stamped local writes (before outbound mapping), audited as captured. */
  readonly captured: readonly ChangeEvent[];
  readonly echoes: number;
  readonly resumeAfter: SourcePosition;
  /** The log view's changes up to this group, committed with its position. */
  readonly sealed: ReadonlyMap<string, RowVersion>;
  /** The publish, when there was anything to publish. */
  readonly sending: Promise<void> | undefined;
}

/** A group in the publish window. */
interface InFlight {
  readonly group: readonly CapturedBatch[];
  /** Resolves once the group is checkpointed; rejects when it or an earlier group failed. */
  done: Promise<void>;
  committed: boolean;
}

/**
 * One source's half of the engine: read the log in order, judge it (stamp local writes, drop echoes, settle races),
 * publish, audit, then checkpoint position and log view together and acknowledge the source — in that order for
 * each group, so a crash at any point replays from a checkpoint whose view matches it and loses nothing.
 *
 * With a transport that publishes in order, up to `publishWindow` judged groups publish at once while the next ones
 * are read and judged: the in-process transport resolves a publish only once the peers applied it, and waiting for
 * that before judging more would serialise capture and apply. Checkpoints still advance in log order, each only
 * over groups whose publish resolved, and a failure re-judges every group not yet checkpointed.
 */
export class CapturePipeline {
  /** The last checkpointed position. */
  position: SourcePosition | undefined;
  /** When the last batch was checkpointed. */
  lastCommitAt: Date | undefined;
  published = 0;
  echoes = 0;
  /** Changes read but not yet checkpointed. */
  buffered = 0;
  /** Replay: changes up to this position republish the rows' current state instead of being judged again. */
  #replayThrough: SourcePosition | undefined;
  #iterator: AsyncIterator<CapturedBatch> | undefined;
  /** Groups publishing or waiting for their checkpoint, oldest first. */
  #inFlight: InFlight[] = [];
  /** Resolves when a group in flight failed. */
  #failure = signalled();

  constructor(private readonly deps: CaptureDeps) {
    this.position = deps.initialPosition;
  }

  /** Reads until `signal` aborts; throws what the loop cannot handle (the engine restarts it from the checkpoint). */
  async run(signal: AbortSignal, from?: SourcePosition): Promise<void> {
    const { source, snapshot } = this.deps;
    this.buffered = 0;
    const after = from ?? this.position;
    if (from !== undefined && this.position !== undefined && from < this.position) this.#replayThrough = this.position;
    const stream = source.stream({ ...(after !== undefined ? { after } : { snapshot }), signal });
    const iterator = stream[Symbol.asyncIterator]();
    this.#iterator = iterator;
    // Read the next group only while fewer groups than the window are in flight (with a window of 1, while one is:
    // reading ahead of a single publish). A source left alone meanwhile hands over what arrived as one larger batch,
    // so batches grow when the peers apply slower than the log grows, instead of queueing many small ones.
    const readLimit = Math.max(2, this.deps.publishWindow);
    let pending: Promise<IteratorResult<CapturedBatch>> | undefined;
    try {
      while (!signal.aborted) {
        if (pending === undefined && this.#inFlight.length >= readLimit) {
          await this.#settleOldest(signal);
          continue;
        }
        pending ??= iterator.next();
        // A failed group is recovered at once, not when the log next has something to read.
        const first = await Promise.race([pending, this.#failure.promise]);
        if (first === undefined) {
          await this.#drain(signal);
          continue;
        }
        pending = undefined;
        if (first.done) return await this.#drain(signal);
        const group: CapturedBatch[] = [first.value];
        pending = (await this.#coalesce(group)).next;
        this.buffered += group.reduce((n, b) => n + b.changes.length, 0);
        await this.deps.gate();
        if (signal.aborted) return await this.#drain(signal);
        await this.#admit(group, signal);
      }
      await this.#drain(signal);
    } finally {
      // Whatever ends the loop, nothing may still be publishing when the engine resets the view and restarts.
      await Promise.allSettled(this.#inFlight.map((f) => f.done));
      this.#inFlight = [];
    }
    await iterator.return?.();
  }

  /**
   * Adds the batches that arrive within `maxDelayMs` while the group is under `maxEvents` (never splitting one, so
   * transactions stay whole, and never mixing replayed batches with later ones); returns the read still outstanding,
   * if it started one.
   */
  async #coalesce(group: CapturedBatch[]): Promise<{ next: Promise<IteratorResult<CapturedBatch>> | undefined }> {
    const { maxDelayMs, maxEvents } = this.deps;
    const deadline = Date.now() + maxDelayMs;
    let events = group.reduce((n, b) => n + b.changes.length, 0);
    if (maxDelayMs <= 0 || events >= maxEvents) return { next: undefined };
    let next = this.#iterator!.next();
    while (events < maxEvents) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const result = await settledWithin(next, remaining);
      if (result === undefined || result.done) break;
      if (this.#crossesReplayEnd(group, result.value)) return { next: Promise.resolve(result) };
      group.push(result.value);
      events += result.value.changes.length;
      next = this.#iterator!.next();
    }
    return { next };
  }

  /** True when `batch` is past the replay's end and the group is not: a group is either all replay or none of it. */
  #crossesReplayEnd(group: readonly CapturedBatch[], batch: CapturedBatch): boolean {
    const end = this.#replayThrough;
    return end !== undefined && group[group.length - 1]!.resumeAfter <= end && batch.resumeAfter > end;
  }

  /**
   * Judges a group and starts its publish once the window has room; its checkpoint follows in the background, after
   * every earlier group's. A failure anywhere is handled by {@link CapturePipeline.#recover}.
   */
  async #admit(group: readonly CapturedBatch[], signal: AbortSignal): Promise<void> {
    while (this.#inFlight.length >= this.deps.publishWindow) await this.#settleOldest(signal);
    let staged: Staged;
    try {
      staged = await this.#stage(group, signal);
    } catch (error) {
      await this.#recover(error, [group], signal);
      return;
    }
    const previous = this.#inFlight[this.#inFlight.length - 1]?.done;
    const entry: InFlight = { group, done: Promise.resolve(), committed: false };
    entry.done = this.#complete(staged, previous).then(() => {
      entry.committed = true;
    });
    entry.done.catch(() => this.#failure.resolve(undefined));
    this.#inFlight.push(entry);
  }

  async #settleOldest(signal: AbortSignal): Promise<void> {
    try {
      await this.#inFlight[0]!.done;
      this.#inFlight.shift();
      this.deps.onError(undefined, 0);
    } catch (error) {
      await this.#recover(error, [], signal);
    }
  }

  async #drain(signal: AbortSignal): Promise<void> {
    while (this.#inFlight.length > 0) await this.#settleOldest(signal);
  }

  /**
   * After a failure: waits until nothing is publishing, then processes every group not yet checkpointed again, one at
   * a time and in order, retrying each in place. The view drops what was not committed and the same changes are
   * judged again, which is exactly what re-reading from the checkpoint would give, without depending on the source
   * being able to re-read (a stream started at the log's end has no earlier position to go back to). Groups whose
   * publish had succeeded are published again; receivers recognise them by position and version.
   */
  async #recover(error: unknown, unstaged: readonly (readonly CapturedBatch[])[], signal: AbortSignal): Promise<void> {
    const inFlight = this.#inFlight;
    this.#inFlight = [];
    await Promise.allSettled(inFlight.map((f) => f.done));
    this.#failure = signalled();
    const groups = [...inFlight.filter((f) => !f.committed).map((f) => f.group), ...unstaged];
    let failures = await this.#failed(error, 0, signal);
    for (const group of groups) {
      await this.#processUntilDone(group, signal, failures);
      failures = 0;
    }
  }

  /** Processes one group to its checkpoint, retrying it in place; `failures` counts the attempts already failed. */
  async #processUntilDone(group: readonly CapturedBatch[], signal: AbortSignal, failures: number): Promise<void> {
    for (;;) {
      try {
        await this.#complete(await this.#stage(group, signal), undefined);
        this.deps.onError(undefined, 0);
        return;
      } catch (error) {
        failures = await this.#failed(error, failures, signal);
      }
    }
  }

  /** Resets the view after a failed attempt, reports it and backs off; rethrows when the engine is stopping. */
  async #failed(error: unknown, failures: number, signal: AbortSignal): Promise<number> {
    this.deps.view.reset();
    // Nothing of the group was checkpointed: the next start reads it again.
    if (error instanceof StoppedError) throw error;
    const count = failures + 1;
    this.deps.onError(error, count);
    await abortableDelay(backoffDelay(count, this.deps.recovery), signal);
    if (signal.aborted) throw error;
    return count;
  }

  /** Judges a group (or replays it), writes settled races back, seals its view changes and starts its publish. */
  async #stage(group: readonly CapturedBatch[], signal: AbortSignal): Promise<Staged> {
    const { view } = this.deps;
    const changes = group.length === 1 ? group[0]!.changes : group.flatMap((b) => b.changes);
    const resumeAfter = group[group.length - 1]!.resumeAfter;
    const ids: string[] = [];
    // A truncate needs its table loaded: what the view has seen there, and its last truncate.
    for (const c of changes) ids.push(c.op === 'truncate' ? tablePrefix(c.table) : rowIdOf(c.table, c.key));
    await view.load(ids);
    const replaying = this.#replayThrough !== undefined && resumeAfter <= this.#replayThrough;
    const judged = replaying
      ? { events: await currentState(this.deps, changes), reapplies: [], conflicts: [], echoes: 0 }
      : judgeChanges(changes, { ...this.deps, sourceId: this.deps.source.id });
    if (!replaying) this.#replayThrough = undefined;
    if (judged.conflicts.length > 0) this.deps.onConflicts(judged.conflicts);
    if (judged.reapplies.length > 0) await writeBack(this.deps, judged.reapplies, resumeAfter);
    const sealed = view.seal();
    const sending = judged.events.length > 0 ? this.#publish(judged.events, resumeAfter, signal) : undefined;
    sending?.catch(() => undefined);
    return { changes: changes.length, captured: judged.events, echoes: judged.echoes, resumeAfter, sealed, sending };
  }

  /** After the previous group's checkpoint and this group's publish: audit, checkpoint, acknowledge. */
  async #complete(staged: Staged, previous: Promise<void> | undefined): Promise<void> {
    const { view, hooks, audit, node } = this.deps;
    // Both settle before this settles: once a failure is seen, nothing of this group is still publishing.
    for (const result of await Promise.allSettled([previous, staged.sending])) {
      if (result.status === 'rejected') throw result.reason;
    }
    if (audit !== undefined && staged.captured.length > 0) {
      await hooks.retry(() =>
        audit.append(staged.captured.map((event) => ({ kind: 'captured' as const, node, event }))),
      );
      hooks.metrics.audited(staged.captured.length);
    }
    await hooks.retry(() => view.commit(staged.resumeAfter, staged.sealed));
    await hooks.retry(() => this.deps.source.acknowledge(staged.resumeAfter));
    this.position = staged.resumeAfter;
    this.lastCommitAt = new Date();
    this.echoes += staged.echoes;
    this.buffered -= staged.changes;
    hooks.metrics.captured(staged.changes - staged.captured.length, 'echo');
  }

  /**
   * Publishes the changes, mapped for the wire if this source has a mapping. The transport's `publish` is called
   * before the first await on every path here, so groups reach an in-order transport in the order they were judged.
   */
  async #publish(captured: ChangeEvent[], position: SourcePosition, signal: AbortSignal): Promise<void> {
    const { mapper } = this.deps;
    const events = mapper === undefined ? captured : captured.flatMap((event) => mapper.mapChange(event) ?? []);
    if (events.length > 0) await this.#send(events, position, signal);
  }

  /**
   * Publishes one batch. A stop waits a little for it, then abandons a publish the transport still holds up (an
   * in-process peer that is paused): the batch is not checkpointed, so it is published again after a restart.
   */
  async #send(events: ChangeEvent[], position: SourcePosition, signal: AbortSignal): Promise<void> {
    const { node, source, transport, hooks } = this.deps;
    const first = events[0]!;
    await hooks.span(
      'worker-sync.publish',
      { 'worker_sync.events': events.length, 'worker_sync.source': source.id },
      async (trace) => {
        const batch: ChangeBatch = {
          id: `${node}/${source.id}/${first.position}/${first.tx.index}`,
          origin: node,
          sourceId: source.id,
          events,
          position,
          ...(trace === undefined ? {} : { trace }),
        };
        await unlessStopped(
          hooks.retry(() => transport.publish(batch)),
          signal,
        );
      },
    );
    this.published += events.length;
    hooks.metrics.captured(events.length, 'published');
  }
}
