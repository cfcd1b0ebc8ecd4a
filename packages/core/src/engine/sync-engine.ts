import { HybridLogicalClock } from '../clock/hybrid-logical-clock.js';
import { ConfigurationError, ConflictError } from '../errors.js';
import type { ChangeSink } from '../interfaces/change-sink.js';
import type { ConflictResolver } from '../interfaces/conflict-resolver.js';
import type { Subscription } from '../interfaces/transport.js';
import type { ChangeBatch, SourcePosition } from '../model/change-event.js';
import type { ManualChoice } from '../resolve/manual-queue.js';
import { decisionDecider } from './apply-decider.js';
import { ApplyPipeline, type SinkGuard } from './apply-pipeline.js';
import { CapturePipeline } from './capture-pipeline.js';
import { abortableDelay, backoffDelay } from './capture-waits.js';
import { redriveDeadLetters } from './dead-letter-redrive.js';
import type { EngineHooks } from './engine-hooks.js';
import { createEngineHooks, createSinkGuard } from './engine-runtime.js';
import type { ConflictRecord } from './log-judge.js';
import { combinedViews, LogView } from './log-view.js';
import { decisionBatch } from './manual-decision.js';
import { parseSyncEngineConfig, type SyncEngineConfig, type SyncEngineConfigInput } from './sync-engine-config.js';
import type { RedriveReport, SyncEngineHealth, SyncEngineState, SyncEngineStatus } from './sync-engine-status.js';

interface SourceRun {
  readonly pipeline: CapturePipeline;
  readonly view: LogView;
  abort: AbortController;
  loop: Promise<void>;
  error: string | undefined;
  failures: number;
}

/**
 * The sync engine of one node: captures the node's own changes from its sources, judges them against the log view
 * (stamping local writes with an HLC and version vector, suppressing echoes of its own sink writes, settling races),
 * publishes them, and applies other nodes' changes through its sinks with the version-vector decider and the
 * configured conflict resolver. Delivery is at-least-once everywhere and exactly-once in effect.
 *
 * @example
 * ```ts
 * const engine = new SyncEngine({
 *   node: 'eu-1',
 *   sources: [new MemorySource({ id: 'db', database })],
 *   sinks: [new MemorySink({ id: 'db', database })],
 *   transport,
 *   resolver: 'last-writer-wins',
 *   checkpoints: new MemoryCheckpointStore(),
 *   deadLetters: new MemoryDeadLetterStore(),
 * });
 * await engine.start();
 * console.log(engine.status());
 * await engine.stop();
 * ```
 */
export class SyncEngine {
  readonly #config: SyncEngineConfig;
  readonly #resolver: ConflictResolver;
  readonly #clock: HybridLogicalClock;
  readonly #hooks: EngineHooks;
  readonly #guards = new Map<string, SinkGuard>();
  readonly #runs = new Map<string, SourceRun>();
  readonly #apply: ApplyPipeline;
  readonly #recent: ConflictRecord[] = [];
  #conflicts = 0;
  #deadLetters = 0;
  #state: SyncEngineState = 'created';
  #subscription: Subscription | undefined;
  #inFlight = 0;
  #backpressured = false;
  #unpaused: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;
  readonly #idleWaiters = new Set<() => void>();
  #manualSequence = 0;
  #stopGauge: (() => void) | undefined;

  constructor(config: SyncEngineConfigInput) {
    const { config: parsed, resolver } = parseSyncEngineConfig(config);
    this.#config = parsed;
    this.#resolver = resolver;
    this.#clock = parsed.clock ?? new HybridLogicalClock();
    this.#hooks = createEngineHooks(parsed);
    for (const sink of parsed.sinks) this.#guards.set(sink.id, createSinkGuard(parsed, sink.id));
    const ids = new Set<string>();
    for (const source of parsed.sources) {
      if (ids.has(source.id)) throw new ConfigurationError(`sources: two sources have the id "${source.id}"`);
      ids.add(source.id);
    }
    this.#apply = new ApplyPipeline({
      node: parsed.node,
      sinks: parsed.sinks,
      mappers: parsed.mapping.inbound,
      guards: this.#guards,
      resolver,
      clock: this.#clock,
      views: parsed.sources.length === 0 ? undefined : combinedViews(() => this.#sourceViews()),
      deadLetters: parsed.deadLetters,
      audit: parsed.audit,
      hooks: this.#hooks,
      onConflicts: (records) => this.#recordConflicts(records),
    });
  }

  /** This node's id. */
  get node(): string {
    return this.#config.node;
  }

  /** The node's hybrid logical clock. */
  get clock(): HybridLogicalClock {
    return this.#clock;
  }

  /**
   * Starts every source's capture loop from its checkpoint and subscribes to the transport. A source without a
   * checkpoint (and without `snapshot`) is initialised first, so every change committed after this resolves is read.
   */
  async start(): Promise<void> {
    if (this.#state !== 'created' && this.#state !== 'stopped') return;
    this.#state = 'running';
    this.#stopGauge = this.#hooks.metrics.observeQueueDepth(() => this.#queueDepth());
    for (const source of this.#config.sources) {
      const view = new LogView(this.#config.checkpoints, source.id, this.#config.viewCapacity);
      const position = await this.#config.checkpoints.position(source.id);
      // A first run starts at the end of the log; fix that end now, so writes made after start() are captured.
      // An unreachable server is not fatal: the capture loop retries, reports it, and starts where the log then ends.
      if (position === undefined && !this.#config.snapshot) {
        await source.init?.().catch(() => this.#hooks.metrics.error('capture'));
      }
      const pipeline = new CapturePipeline({
        node: this.#config.node,
        source,
        localSink: this.#localSink(source.id),
        view,
        clock: this.#clock,
        resolver: this.#resolver,
        transport: this.#config.transport,
        mapper: this.#config.mapping.outbound[source.id],
        audit: this.#config.audit,
        maxEvents: this.#config.batching.maxEvents,
        maxDelayMs: this.#config.batching.maxDelayMs,
        publishWindow: this.#config.transport.publishesInOrder === true ? this.#config.batching.publishWindow : 1,
        snapshot: this.#config.snapshot,
        hooks: this.#hooks,
        gate: () => this.#unpaused,
        onConflicts: (records) => this.#recordConflicts(records),
        initialPosition: position,
        onError: (error, failures) => this.#captureError(source.id, error, failures),
        recovery: this.#config.recovery,
      });
      const run: SourceRun = {
        pipeline,
        view,
        abort: new AbortController(),
        loop: Promise.resolve(),
        error: undefined,
        failures: 0,
      };
      this.#runs.set(source.id, run);
      run.loop = this.#loop(run);
    }
    if (this.#config.sinks.length > 0) {
      this.#subscription = await this.#config.transport.subscribe({
        node: this.#config.node,
        handle: (batch) => this.#handle(batch),
      });
    }
  }

  /**
   * Stops. With `drain` (the default) the capture loops finish the batch in hand and every remote batch being
   * applied completes and is acknowledged before the subscription closes; nothing half-done is left behind.
   */
  async stop(options: { drain?: boolean } = {}): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'created') return;
    this.#state = 'draining';
    this.#openGate();
    for (const run of this.#runs.values()) run.abort.abort();
    await Promise.all([...this.#runs.values()].map((run) => run.loop));
    if (options.drain !== false) await this.#waitIdle();
    await this.#subscription?.close();
    this.#subscription = undefined;
    this.#runs.clear();
    this.#stopGauge?.();
    this.#state = 'stopped';
  }

  /** Stops reading sources and receiving batches; in-flight work finishes. */
  pause(): void {
    if (this.#state !== 'running') return;
    this.#state = 'paused';
    this.#unpaused = new Promise((resolve) => {
      this.#release = resolve;
    });
    this.#subscription?.pause();
  }

  /** Resumes after {@link SyncEngine.pause}. */
  resume(): void {
    if (this.#state !== 'paused') return;
    this.#state = 'running';
    this.#openGate();
    if (!this.#backpressured) this.#subscription?.resume();
  }

  /**
   * Re-reads a source's log from `from` (exclusive) and republishes the current state of every row it touched up
   * to the checkpoint (with the row's current version, so receivers that have it skip it and receivers that lost
   * it get it back), then continues normally. Old local writes are never re-stamped as new ones.
   */
  async replay(sourceId: string, from: SourcePosition): Promise<void> {
    const run = this.#runs.get(sourceId);
    if (run === undefined) throw new ConfigurationError(`replay: no running source with id "${sourceId}"`);
    run.abort.abort();
    await run.loop;
    run.abort = new AbortController();
    run.loop = this.#loop(run, from);
  }

  /**
   * Publishes a person's decision on a parked conflict: the settled row with a version that dominates both sides
   * is applied locally through the sink and published directly (a sink write would be suppressed as an echo).
   */
  async decide(conflictId: string, choice: ManualChoice): Promise<void> {
    const queue = this.#config.manualQueue;
    if (queue === undefined) throw new ConfigurationError('decide: the engine has no manualQueue');
    const parked = queue.get(conflictId);
    if (parked === undefined) throw new ConflictError(`no parked conflict with id "${conflictId}"`);
    const settled = queue.decide(conflictId, choice);
    const batch = decisionBatch(this.#config.node, conflictId, parked, settled, this.#manualSequence++);
    const sink = this.#config.sinks[0];
    if (sink !== undefined) await this.#hooks.retry(() => sink.apply(batch, decisionDecider));
    await this.#hooks.retry(() => this.#config.transport.publish(batch));
  }

  /** Operator status: positions, lag, last commits, queue depth, conflicts, dead letters. */
  async status(): Promise<SyncEngineStatus> {
    const sources = await Promise.all(
      [...this.#runs.entries()].map(async ([id, run]) => {
        const source = this.#config.sources.find((s) => s.id === id)!;
        const lag = source.lag === undefined ? undefined : await source.lag().catch(() => undefined);
        return {
          id,
          position: run.pipeline.position,
          lagMillis: lag?.millis,
          lastCommitAt: run.pipeline.lastCommitAt,
          published: run.pipeline.published,
          echoes: run.pipeline.echoes,
          error: run.error,
        };
      }),
    );
    const deadLetters = await this.#config.deadLetters.list().then(
      (l) => l.length,
      () => this.#deadLetters,
    );
    return {
      node: this.#config.node,
      state: this.#state,
      sources,
      sinks: this.#config.sinks.map((sink) => ({
        id: sink.id,
        lastCommit: this.#apply.lastCommit.get(sink.id),
        breaker: this.#guards.get(sink.id)?.state ?? 'closed',
      })),
      queueDepth: this.#queueDepth(),
      applied: this.#apply.applied,
      skipped: this.#apply.skipped,
      conflicts: {
        total: this.#conflicts,
        parked: this.#config.manualQueue?.list().length ?? 0,
        recent: [...this.#recent],
      },
      deadLetters: { count: deadLetters },
    };
  }

  /**
   * Applies dead letters again once their cause is fixed (a missing table created, a column widened): each one that
   * now applies is removed from the store; one that still fails stays, with the reason in the report. A letter that
   * holds only an undecodable payload cannot be applied and stays for inspection. Safe to repeat and to run while
   * syncing: a change whose row has moved on since is skipped by the version check, never written over newer data.
   *
   * @example
   * ```ts
   * const report = await engine.redrive(); // or engine.redrive({ ids: ['eu-1/…/0'] })
   * for (const { id, reason } of report.failed) console.warn(`dead letter ${id} still fails: ${reason}`);
   * ```
   */
  redrive(options: { readonly ids?: readonly string[] } = {}): Promise<RedriveReport> {
    return redriveDeadLetters(this.#config.deadLetters, (letter) => this.#apply.redrive(letter), options.ids);
  }

  /** Liveness and readiness. */
  health(): SyncEngineHealth {
    const reasons: string[] = [];
    if (this.#state === 'stopped' || this.#state === 'created') reasons.push(`engine is ${this.#state}`);
    for (const [id, run] of this.#runs) if (run.failures >= 3) reasons.push(`source ${id} keeps failing: ${run.error}`);
    const live = reasons.length === 0;
    if (this.#state === 'paused') reasons.push('engine is paused');
    if (this.#config.sinks.length > 0 && this.#subscription === undefined) reasons.push('not subscribed');
    for (const [id, guard] of this.#guards) if (guard.state === 'open') reasons.push(`sink ${id} circuit is open`);
    return { live, ready: reasons.length === 0, reasons };
  }

  /** True when {@link SyncEngine.health} says ready. */
  readiness(): boolean {
    return this.health().ready;
  }

  async #loop(run: SourceRun, from?: SourcePosition): Promise<void> {
    let start = from;
    while (!run.abort.signal.aborted) {
      try {
        await run.pipeline.run(run.abort.signal, start);
        run.error = undefined;
        return;
      } catch (error) {
        run.failures += 1;
        run.error = error instanceof Error ? error.message : String(error);
        this.#hooks.metrics.error('capture');
        // The view may be ahead of the checkpoint; re-read from the checkpoint with the committed view.
        run.view.reset();
        start = undefined;
        await abortableDelay(backoffDelay(run.failures, this.#config.recovery), run.abort.signal);
      }
    }
  }

  #captureError(sourceId: string, error: unknown, failures: number): void {
    const run = this.#runs.get(sourceId);
    if (run === undefined) return;
    run.failures = failures;
    run.error = error === undefined ? undefined : error instanceof Error ? error.message : String(error);
    if (error !== undefined) this.#hooks.metrics.error('capture');
  }

  async #handle(batch: ChangeBatch): Promise<void> {
    this.#inFlight += 1;
    if (this.#inFlight >= this.#config.maxInFlight && !this.#backpressured) {
      this.#backpressured = true;
      this.#subscription?.pause();
    }
    try {
      await this.#apply.handle(batch);
    } finally {
      this.#inFlight -= 1;
      if (this.#backpressured && this.#inFlight < this.#config.maxInFlight) {
        this.#backpressured = false;
        if (this.#state === 'running') this.#subscription?.resume();
      }
      if (this.#inFlight === 0) for (const wake of [...this.#idleWaiters]) wake();
    }
  }

  #waitIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#idleWaiters.delete(done);
        resolve();
      };
      this.#idleWaiters.add(done);
    });
  }

  #queueDepth(): number {
    let buffered = 0;
    for (const run of this.#runs.values()) buffered += run.pipeline.buffered;
    return buffered + this.#inFlight;
  }

  *#sourceViews(): Iterable<LogView> {
    for (const run of this.#runs.values()) yield run.view;
  }

  #localSink(sourceId: string): ChangeSink | undefined {
    return this.#config.sinks.find((s) => s.id === sourceId) ?? this.#config.sinks[0];
  }

  #recordConflicts(records: readonly ConflictRecord[]): void {
    for (const record of records) {
      this.#conflicts += 1;
      this.#hooks.metrics.conflict(record.resolver, record.outcome);
      this.#recent.push(record);
    }
    const excess = this.#recent.length - this.#config.recentConflicts;
    if (excess > 0) this.#recent.splice(0, excess);
  }

  #openGate(): void {
    this.#release?.();
    this.#release = undefined;
    this.#unpaused = Promise.resolve();
  }
}
