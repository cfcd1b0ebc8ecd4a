import type { Redis } from 'ioredis';
import { ConnectionError, WorkerSyncError } from '../errors.js';
import type { CheckpointStore, ViewVersion } from '../interfaces/checkpoint-store.js';
import type { SourcePosition } from '../model/change-event.js';
import { decodeRowVersion, encodeRowVersion } from './row-version-json.js';

/** Options of a {@link RedisCheckpointStore}. */
export interface RedisCheckpointStoreOptions {
  /** Prefix of every key, e.g. `worker-sync:eu-1:`; separates nodes sharing one Redis. */
  readonly keyPrefix: string;
  /** Whether `close()` quits the client. Default true; false when the host shares the client. */
  readonly closeClient?: boolean;
}

// Bounds the arguments of one HSET/HMGET so a huge batch does not build one giant command.
const CHUNK = 1_000;

/**
 * A {@link CheckpointStore} in Redis. Per source it keeps a string `<prefix>{<sourceId>}:position` and a hash
 * `<prefix>{<sourceId>}:versions` of row id → encoded row version (see `encodeRowVersion`). A commit is one
 * MULTI/EXEC transaction, so the position never moves without its versions. The `{sourceId}` hash tag keeps both
 * keys in one Redis Cluster slot, which MULTI requires. Redis does not roll back: should a command inside EXEC fail
 * (only possible if something else overwrote these keys with another type), the commit is reported as failed and the
 * keys must be repaired by hand. Durability is Redis's: use AOF with `appendfsync everysec`
 * or `always` if a lost checkpoint must not cost a replay.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const checkpoints = new RedisCheckpointStore(new Redis(process.env.REDIS_URL!), { keyPrefix: 'worker-sync:eu-1:' });
 * ```
 */
export class RedisCheckpointStore implements CheckpointStore {
  constructor(
    private readonly redis: Redis,
    private readonly options: RedisCheckpointStoreOptions,
  ) {}

  /** {@inheritDoc CheckpointStore.position} */
  async position(sourceId: string): Promise<SourcePosition | undefined> {
    const position = await this.#run('position', sourceId, () => this.redis.get(this.#key(sourceId, 'position')));
    return position ?? undefined;
  }

  /** {@inheritDoc CheckpointStore.versions} */
  async versions(sourceId: string, rowIds: readonly string[]): Promise<Map<string, ViewVersion>> {
    const found = new Map<string, ViewVersion>();
    const key = this.#key(sourceId, 'versions');
    for (let start = 0; start < rowIds.length; start += CHUNK) {
      const ids = rowIds.slice(start, start + CHUNK);
      const texts = await this.#run('versions', sourceId, () => this.redis.hmget(key, ...ids));
      texts.forEach((text, i) => {
        if (text !== null) found.set(ids[i]!, decodeRowVersion(text, `redis ${key} row ${ids[i]}`));
      });
    }
    return found;
  }

  /** {@inheritDoc CheckpointStore.commit} */
  async commit(sourceId: string, position: SourcePosition, versions: ReadonlyMap<string, ViewVersion>): Promise<void> {
    const multi = this.redis.multi();
    const fields: string[] = [];
    for (const [rowId, version] of versions) fields.push(rowId, encodeRowVersion(version));
    for (let start = 0; start < fields.length; start += CHUNK * 2) {
      multi.hset(this.#key(sourceId, 'versions'), ...fields.slice(start, start + CHUNK * 2));
    }
    multi.set(this.#key(sourceId, 'position'), position);
    const results = await this.#run('commit', sourceId, () => multi.exec());
    // EXEC answers null when the transaction was discarded, and per-command errors inside its replies.
    const failed = results === null ? new Error('transaction discarded') : results.find(([error]) => error)?.[0];
    if (failed) throw storeError('commit', sourceId, failed);
  }

  /** {@inheritDoc CheckpointStore.forgetTable} */
  async forgetTable(sourceId: string, tablePrefix: string): Promise<void> {
    const key = this.#key(sourceId, 'versions');
    const match = `${tablePrefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    let cursor = '0';
    do {
      const [next, entries] = await this.#run('forgetTable', sourceId, () =>
        this.redis.hscan(key, cursor, 'MATCH', match, 'COUNT', CHUNK),
      );
      const ids = entries.filter((_, i) => i % 2 === 0);
      if (ids.length > 0) await this.#run('forgetTable', sourceId, () => this.redis.hdel(key, ...ids));
      cursor = next;
    } while (cursor !== '0');
  }

  /** Quits the client unless `closeClient` is false. */
  async close(): Promise<void> {
    if (this.options.closeClient !== false) await this.redis.quit().catch(() => this.redis.disconnect());
  }

  #key(sourceId: string, part: 'position' | 'versions'): string {
    return `${this.options.keyPrefix}{${sourceId}}:${part}`;
  }

  async #run<T>(operation: string, sourceId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw storeError(operation, sourceId, error);
    }
  }
}

/** Redis failures are connection-level (the store's own commands are well-formed), so they are retriable. */
function storeError(operation: string, sourceId: string, error: unknown): Error {
  if (error instanceof WorkerSyncError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ConnectionError(`redis checkpoint store: ${operation} of source ${sourceId} failed: ${reason}`, {
    cause: error,
  });
}
