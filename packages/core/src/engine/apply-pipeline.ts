import type { HybridLogicalClock } from '../clock/hybrid-logical-clock.js';
import { WorkerSyncError } from '../errors.js';
import type { AuditSink } from '../interfaces/audit-sink.js';
import type { ApplyDecider, ChangeSink } from '../interfaces/change-sink.js';
import type { ConflictResolver } from '../interfaces/conflict-resolver.js';
import type { DeadLetter, DeadLetterStore } from '../interfaces/dead-letter-store.js';
import type { Mapper } from '../mapping/mapper.js';
import type { ChangeBatch, ChangeEvent, NodeId, SourcePosition } from '../model/change-event.js';
import { remoteDecider } from './apply-decider.js';
import type { EngineHooks } from './engine-hooks.js';
import type { ConflictRecord } from './log-judge.js';
import type { LogViews } from './log-view.js';
import { rowIdOf } from './row-ids.js';

/** Runs a sink call under that sink's circuit breaker. */
export interface SinkGuard {
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** `closed`, `open` or `half-open`, for health and status. */
  readonly state: string;
}

/** What an {@link ApplyPipeline} needs from its engine. */
export interface ApplyDeps {
  readonly node: NodeId;
  readonly sinks: readonly ChangeSink[];
  /** Inbound mapping per sink id: arriving changes in the wire's names are mapped into that sink's schema. */
  readonly mappers: Readonly<Record<string, Mapper>>;
  readonly guards: ReadonlyMap<string, SinkGuard>;
  readonly resolver: ConflictResolver;
  readonly clock: HybridLogicalClock;
  /**
   * The log view of the node's sources, when it has any: `entry` of a loaded row, and `load` of the rows a batch
   * touches, so the decider sees local writes judged before a restart. A node with only sinks has no log view, and
   * computes no row ids for what it applies.
   */
  readonly views: LogViews | undefined;
  readonly deadLetters: DeadLetterStore;
  readonly audit: AuditSink | undefined;
  readonly hooks: EngineHooks;
  readonly onConflicts: (records: readonly ConflictRecord[]) => void;
}

/** The last commit of one sink, for status(). */
export interface SinkCommit {
  readonly at: Date;
  readonly origin: NodeId;
  readonly sourceId: string;
  readonly position: SourcePosition;
}

/**
 * Applies other nodes' batches to this node's sinks: the VV decider inside each sink transaction, the sink's circuit
 * breaker and retries around it, audit records for what was written, and isolation of poison changes — a batch the
 * sink rejects as non-retriable is bisected until the offending change(s) are alone; those go to the dead-letter
 * store with the sink's reason (table, column, key) and everything else is applied.
 */
export class ApplyPipeline {
  readonly lastCommit = new Map<string, SinkCommit>();
  applied = 0;
  skipped = 0;
  deadLettered = 0;

  constructor(private readonly deps: ApplyDeps) {}

  /** Handles one delivered batch; rejects only with retriable errors (the transport then redelivers). */
  async handle(batch: ChangeBatch): Promise<void> {
    const { hooks } = this.deps;
    let newest = 0n;
    for (const event of batch.events) if (event.version.hlc > newest) newest = event.version.hlc;
    try {
      this.deps.clock.observe(newest);
    } catch {
      // A clock far ahead is refused; versions still order by their vectors, so the batch is applied.
    }
    await hooks.span(
      'worker-sync.apply',
      { 'worker_sync.origin': batch.origin, 'worker_sync.events': batch.events.length },
      async () => {
        for (const sink of this.deps.sinks) {
          const mapped = this.#mapFor(sink, batch);
          await this.#loadViews(mapped);
          await this.#applyTo(sink, mapped);
        }
      },
      { ...(batch.trace === undefined ? {} : { parent: batch.trace }), kind: 'consumer' },
    );
    const lag = Date.now() - Number((batch.events[batch.events.length - 1]?.tx.commitTimeMicros ?? 0n) / 1000n);
    if (batch.events.length > 0) hooks.metrics.lag(Math.max(0, lag));
  }

  /**
   * Applies a dead letter again, once its cause is fixed, all or nothing: a refused change goes back to the sink that
   * refused it (already in that sink's names), a whole batch to every sink through its mapping. It runs as a stream
   * of its own, so the sinks' position records recognise a repeated redrive and never shadow the original stream,
   * and the version check skips it where the row has moved on since. Rejects when a sink still refuses it.
   */
  async redrive(letter: DeadLetter): Promise<void> {
    const { event, batch } = letter;
    if (event !== undefined) {
      const sinks = this.deps.sinks.filter((sink) => letter.sink === undefined || sink.id === letter.sink);
      const single = redriveBatch(letter, { origin: event.origin, sourceId: event.sourceId, events: [event] });
      for (const sink of sinks) await this.#redriveTo(sink, single);
    } else if (batch !== undefined) {
      for (const sink of this.deps.sinks) await this.#redriveTo(sink, redriveBatch(letter, this.#mapFor(sink, batch)));
    } else {
      throw new WorkerSyncError(`dead letter ${letter.id} holds no decodable change to apply`, 'NOT_REDRIVABLE', false);
    }
  }

  async #redriveTo(sink: ChangeSink, batch: ChangeBatch): Promise<void> {
    if (batch.events.length === 0) return;
    await this.#loadViews(batch);
    await this.#attempt(sink, batch);
  }

  async #loadViews(batch: ChangeBatch): Promise<void> {
    const views = this.deps.views;
    if (views === undefined) return;
    const ids: string[] = [];
    for (const e of batch.events) if (e.op !== 'truncate') ids.push(rowIdOf(e.table, e.key));
    await views.load(ids);
  }

  /** The batch in the sink's names (its inbound mapping), or as it came. */
  #mapFor(sink: ChangeSink, batch: ChangeBatch): ChangeBatch {
    const mapper = this.deps.mappers[sink.id];
    if (mapper === undefined) return batch;
    return { ...batch, events: batch.events.flatMap((event) => mapper.mapChange(event) ?? []) };
  }

  async #applyTo(sink: ChangeSink, batch: ChangeBatch): Promise<void> {
    try {
      await this.#attempt(sink, batch);
    } catch (error) {
      if (isRetriable(error)) {
        this.deps.hooks.metrics.error('apply');
        throw error;
      }
      await this.#isolate(sink, batch, error);
    }
  }

  /** One guarded apply; conflicts and audit records count only once the sink committed. */
  async #attempt(sink: ChangeSink, batch: ChangeBatch): Promise<void> {
    const { hooks, guards } = this.deps;
    const guard = guards.get(sink.id);
    let written: ChangeEvent[] = [];
    let conflicts: ConflictRecord[] = [];
    const outcome = await hooks.retry(() => {
      written = [];
      conflicts = [];
      const decide = this.#decider(written, conflicts);
      return guard === undefined ? sink.apply(batch, decide) : guard.run(() => sink.apply(batch, decide));
    });
    if (conflicts.length > 0) this.deps.onConflicts(conflicts);
    this.applied += outcome.applied;
    this.skipped += outcome.skipped;
    hooks.metrics.applied(outcome.applied, 'applied');
    hooks.metrics.applied(outcome.skipped, 'skipped');
    this.lastCommit.set(sink.id, {
      at: new Date(),
      origin: batch.origin,
      sourceId: batch.sourceId,
      position: batch.position,
    });
    const audit = this.deps.audit;
    if (audit !== undefined && written.length > 0) {
      await hooks.retry(() =>
        audit.append(written.map((event) => ({ kind: 'applied' as const, node: this.deps.node, event }))),
      );
      hooks.metrics.audited(written.length);
    }
  }

  #decider(written: ChangeEvent[], conflicts: ConflictRecord[]): ApplyDecider {
    const views = this.deps.views;
    const decide = remoteDecider({
      resolver: this.deps.resolver,
      viewOf: views === undefined ? undefined : (rowId) => views.entry(rowId),
      onConflict: (record) => conflicts.push(record),
    });
    // What was written is collected only for the audit log.
    if (this.deps.audit === undefined) return decide;
    return (incoming, stored) => {
      const decision = decide(incoming, stored);
      if (decision.kind !== 'skip') written.push(incoming);
      return decision;
    };
  }

  async #isolate(sink: ChangeSink, batch: ChangeBatch, error: unknown): Promise<void> {
    await this.#bisect(sink, batch, batch.events, 0, error);
    // Record the batch position so a redelivery is recognised; the good changes are in, the bad ones dead-lettered.
    await this.#attempt(sink, { ...batch, events: [] });
  }

  async #bisect(
    sink: ChangeSink,
    batch: ChangeBatch,
    events: readonly ChangeEvent[],
    offset: number,
    error: unknown,
  ): Promise<void> {
    if (events.length === 1) {
      await this.#deadLetter(sink, batch, events[0]!, offset, error);
      return;
    }
    const middle = Math.ceil(events.length / 2);
    for (const [part, start] of [
      [events.slice(0, middle), offset],
      [events.slice(middle), offset + middle],
    ] as const) {
      if (part.length === 0) continue;
      const sub: ChangeBatch = {
        ...batch,
        id: `${batch.id}!${start}+${part.length}`,
        // A stream of its own, so the parts never shadow the whole batch's position record.
        sourceId: `${batch.sourceId}!isolated`,
        position: `${batch.position}~${String(start).padStart(9, '0')}`,
        events: part,
      };
      try {
        await this.#attempt(sink, sub);
      } catch (partError) {
        if (isRetriable(partError)) throw partError;
        await this.#bisect(sink, batch, part, start, partError);
      }
    }
  }

  async #deadLetter(
    sink: ChangeSink,
    batch: ChangeBatch,
    event: ChangeEvent,
    index: number,
    error: unknown,
  ): Promise<void> {
    const code = error instanceof WorkerSyncError ? error.code : 'APPLY';
    const message = error instanceof Error ? error.message : String(error);
    await this.deps.hooks.retry(() =>
      this.deps.deadLetters.put({
        id: `${this.deps.node}/${batch.id}/${index}`,
        at: new Date(),
        stage: 'apply',
        code,
        reason: `change ${index} of batch ${batch.id} (${event.table.namespace}.${event.table.name}, position ${event.position}): ${message}`,
        batchId: batch.id,
        sink: sink.id,
        event,
      }),
    );
    this.deadLettered += 1;
    this.deps.hooks.metrics.applied(1, 'dead-letter');
    this.deps.hooks.metrics.error('apply');
  }
}

/** A batch of a dead letter's changes as a stream of its own (see {@link ApplyPipeline.redrive}). */
function redriveBatch(letter: DeadLetter, batch: Pick<ChangeBatch, 'origin' | 'sourceId' | 'events'>): ChangeBatch {
  return {
    id: `${letter.id}!redrive`,
    origin: batch.origin,
    sourceId: `${batch.sourceId}!redrive!${letter.id}`,
    position: batch.events[batch.events.length - 1]?.position ?? '',
    events: batch.events,
  };
}

function isRetriable(error: unknown): boolean {
  return error instanceof WorkerSyncError ? error.retriable : false;
}
