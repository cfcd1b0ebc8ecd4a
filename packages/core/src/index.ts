export { HLC_LOGICAL_BITS, type Hlc, packHlc, unpackHlc } from './clock/hlc-timestamp.js';
export { HybridLogicalClock, type HybridLogicalClockOptions } from './clock/hybrid-logical-clock.js';
export {
  canonicalVersionVector,
  compareVersionVectors,
  dominatesOrEquals,
  EMPTY_VERSION_VECTOR,
  incrementVersionVector,
  mergeVersionVectors,
} from './clock/version-vector.js';
export type { Causality, VersionVector } from './clock/version-vector-type.js';
export { BATCH_CODEC_VERSION, decodeBatch, encodeBatch } from './codec/batch-codec.js';
export { canonicalEncodeEvent, canonicalEncodeValue } from './codec/canonical-encoding.js';
export { type DeciderContext, decisionDecider, remoteDecider, writeBackDecider } from './engine/apply-decider.js';
export type { SinkCommit } from './engine/apply-pipeline.js';
export type { ConflictRecord } from './engine/log-judge.js';
export { SyncEngine } from './engine/sync-engine.js';
export {
  parseSyncEngineConfig,
  type SyncEngineConfig,
  type SyncEngineConfigInput,
  syncEngineConfigSchema,
} from './engine/sync-engine-config.js';
export type {
  RedriveReport,
  SinkStatus,
  SourceStatus,
  SyncEngineHealth,
  SyncEngineState,
  SyncEngineStatus,
} from './engine/sync-engine-status.js';
export {
  ApplyError,
  ConfigurationError,
  ConflictError,
  ConnectionError,
  IntegrityError,
  MappingError,
  WorkerSyncError,
} from './errors.js';
export type { AuditRecord, AuditSink } from './interfaces/audit-sink.js';
export type { ApplyDecider, ApplyDecision, ApplyOutcome, ChangeSink, StoredRow } from './interfaces/change-sink.js';
export type { ChangeSource, SourceStart } from './interfaces/change-source.js';
export type { CheckpointStore, ViewVersion } from './interfaces/checkpoint-store.js';
export type { ConflictContext, ConflictResolver, ConflictSide, Resolution } from './interfaces/conflict-resolver.js';
export type { DeadLetter, DeadLetterStage, DeadLetterStore } from './interfaces/dead-letter-store.js';
export type { SubscribeOptions, Subscription, Transport } from './interfaces/transport.js';
export type {
  ColumnTransformFn,
  TransformContext,
  TransformHooks,
} from './mapping/column-transforms.js';
export { DOCUMENT_ID } from './mapping/key-mapping.js';
export { Mapper } from './mapping/mapper.js';
export {
  type ColumnTransformConfig,
  columnTransformSchema,
  keyMappingSchema,
  type MappingConfig,
  type MappingConfigInput,
  mappingConfigSchema,
  type RouteConfig,
  routeSchema,
} from './mapping/mapping-config.js';
export {
  type LoggedChange,
  MemoryDatabase,
  type MemoryLogEntry,
  type MemoryTableSchema,
  MemoryTransaction,
  memoryPosition,
} from './memory/memory-database.js';
export { MemorySink } from './memory/memory-sink.js';
export { MemorySource, type MemorySourceOptions } from './memory/memory-source.js';
export { canonicalJson } from './model/canonical-json.js';
export type {
  CapturedBatch,
  CapturedChange,
  ChangeBatch,
  ChangeEvent,
  NodeId,
  Operation,
  RowKey,
  RowVersion,
  SourcePosition,
  TableRef,
  TransactionInfo,
} from './model/change-event.js';
export { civilFromDays, daysFromCivil, MICROS_PER_DAY, MICROS_PER_SECOND } from './model/civil-date.js';
export { rowIdentity } from './model/row-identity.js';
export { decodeColumnHlcs, encodeColumnHlcs, encodeVersionVector } from './model/row-version-columns.js';
export type {
  ArrayValue,
  DateValue,
  DecimalValue,
  DocumentValue,
  JsonValue,
  Row,
  TimestampValue,
  TimeValue,
  UuidValue,
  Value,
  ValueType,
} from './model/value.js';
export { bytesEqual, rowsEqual, valuesEqual } from './model/value-equality.js';
export { valueTypeOf } from './model/value-type.js';
export { columnMerge } from './resolve/column-merge.js';
export { stampColumns } from './resolve/column-stamps.js';
export { lastWriterWins } from './resolve/last-writer-wins.js';
export {
  type ManualChoice,
  ManualQueue,
  type ManualQueueOptions,
  MemoryParkedConflictStore,
  manualResolver,
  type ParkedConflict,
  type ParkedConflictStore,
} from './resolve/manual-queue.js';
export { type ResolverFactory, ResolverRegistry } from './resolve/resolver-registry.js';
export { columnStamp, type Settlement, type SettlementOutcome, settleConflict } from './resolve/settle-conflict.js';
export { sourcePriority } from './resolve/source-priority.js';
export {
  CircuitBreaker,
  type CircuitBreakerOptions,
  CircuitOpenError,
  type CircuitState,
  type CircuitStateChange,
} from './runtime/circuit-breaker.js';
export { formatPath, parseConfig } from './runtime/parse-config.js';
export {
  abortableSleep,
  backoffDelay,
  isRetriable,
  type RetryAttempt,
  type RetryOptions,
  retry,
} from './runtime/retry.js';
export { MemoryCheckpointStore } from './store/memory-checkpoint-store.js';
export { MemoryDeadLetterStore } from './store/memory-dead-letter-store.js';
export { RedisCheckpointStore, type RedisCheckpointStoreOptions } from './store/redis-checkpoint-store.js';
export { decodeRowVersion, encodeRowVersion } from './store/row-version-json.js';
export { CHECKPOINTS_TABLE, LOG_VIEW_TABLE, SqlCheckpointStore } from './store/sql-checkpoint-store.js';
export {
  type MysqlConnectionLike,
  type MysqlPoolLike,
  mysqlExecutor,
  type PgPoolLike,
  type PgQueryable,
  pgExecutor,
  type SqlExecutor,
} from './store/sql-executor.js';
export {
  createSyncMetrics,
  type EventDirection,
  INSTRUMENTATION_SCOPE,
  LAG_BUCKETS_MS,
  type SyncMetrics,
} from './telemetry/metrics.js';
export {
  currentTraceContext,
  extractTraceContext,
  injectTraceContext,
  type TraceCarrier,
  tracer,
  type WithSpanOptions,
  withSpan,
} from './telemetry/tracing.js';
export {
  InProcessTransport,
  type InProcessTransportOptions,
  type TransportFaults,
} from './transport/in-process-transport.js';
