/**
 * The base of every error worker-sync raises: a stable `code` for programs and a `retriable` flag that tells the
 * one retry helper whether trying again can help. Messages name the table, column, key and position involved and
 * never carry secrets or whole row values.
 */
export class WorkerSyncError extends Error {
  override readonly name: string = 'WorkerSyncError';
  constructor(
    message: string,
    readonly code: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Invalid configuration; the message names the offending field. Never retriable. */
export class ConfigurationError extends WorkerSyncError {
  override readonly name = 'ConfigurationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'CONFIGURATION', false, options);
  }
}

/** A value that cannot be mapped between an engine type and the neutral model. Names table, column and type. */
export class MappingError extends WorkerSyncError {
  override readonly name = 'MappingError';
  constructor(
    message: string,
    readonly where: { table?: string; column?: string; type?: string; key?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, 'MAPPING', false, options);
  }
}

/** A lost or refused connection to a database, broker or store. Retriable. */
export class ConnectionError extends WorkerSyncError {
  override readonly name = 'ConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'CONNECTION', true, options);
  }
}

/** A change that a sink could not apply; `index` is its position in the batch when known. */
export class ApplyError extends WorkerSyncError {
  override readonly name = 'ApplyError';
  constructor(
    message: string,
    readonly where: { table?: string; column?: string; key?: string; index?: number } = {},
    retriable = false,
    options?: { cause?: unknown },
  ) {
    super(message, 'APPLY', retriable, options);
  }
}

/** Broken integrity: a forged or undecodable payload, a gap in a log, an invalidated replication slot. */
export class IntegrityError extends WorkerSyncError {
  override readonly name = 'IntegrityError';
  constructor(message: string, code = 'INTEGRITY', options?: { cause?: unknown }) {
    super(message, code, false, options);
  }
}

/** A conflict that needs a person (manual queue) or a resolver that failed. */
export class ConflictError extends WorkerSyncError {
  override readonly name = 'ConflictError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'CONFLICT', false, options);
  }
}
