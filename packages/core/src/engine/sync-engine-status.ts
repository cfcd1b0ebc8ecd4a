import type { NodeId, SourcePosition } from '../model/change-event.js';
import type { SinkCommit } from './apply-pipeline.js';
import type { ConflictRecord } from './log-judge.js';

/** The engine's lifecycle state. */
export type SyncEngineState = 'created' | 'running' | 'paused' | 'draining' | 'stopped';

/** One source's figures in {@link SyncEngineStatus}. */
export interface SourceStatus {
  readonly id: string;
  /** The last checkpointed position (what a restart resumes after). */
  readonly position: SourcePosition | undefined;
  /** How far behind the end of its log the source is, where the source can tell. */
  readonly lagMillis: number | undefined;
  readonly lastCommitAt: Date | undefined;
  /** Local changes published since start. */
  readonly published: number;
  /** Sink writes recognised as echoes since start (never republished). */
  readonly echoes: number;
  /** The last error of the capture loop, if it is retrying. */
  readonly error: string | undefined;
}

/** One sink's figures in {@link SyncEngineStatus}. */
export interface SinkStatus {
  readonly id: string;
  readonly lastCommit: SinkCommit | undefined;
  /** The sink's circuit breaker: `closed`, `open` or `half-open`. */
  readonly breaker: string;
}

/** What `SyncEngine.status()` reports, for `GET /sync/status` style endpoints and runbooks. */
export interface SyncEngineStatus {
  readonly node: NodeId;
  readonly state: SyncEngineState;
  readonly sources: readonly SourceStatus[];
  readonly sinks: readonly SinkStatus[];
  /** Captured changes not yet checkpointed plus remote batches being applied. */
  readonly queueDepth: number;
  readonly applied: number;
  readonly skipped: number;
  readonly conflicts: {
    readonly total: number;
    /** Conflicts waiting in the manual queue. */
    readonly parked: number;
    /** The most recent conflicts, newest last, with how each was resolved. */
    readonly recent: readonly ConflictRecord[];
  };
  readonly deadLetters: { readonly count: number };
}

/** Liveness and readiness, for health endpoints. */
export interface SyncEngineHealth {
  /** False when the engine is stopped or a capture loop keeps failing. */
  readonly live: boolean;
  /** True when running, subscribed, and no sink's breaker is open. */
  readonly ready: boolean;
  /** Why not, when not. */
  readonly reasons: readonly string[];
}

/** What {@link SyncEngine.redrive} did. */
export interface RedriveReport {
  /** Dead letters applied now and removed from the store. */
  readonly redriven: readonly string[];
  /** Dead letters that still fail, kept in the store, with the reason. */
  readonly failed: readonly { readonly id: string; readonly reason: string }[];
}
