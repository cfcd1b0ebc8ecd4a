import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionError } from '../../src/errors.js';
import { RedisCheckpointStore } from '../../src/store/redis-checkpoint-store.js';
import { connectOrExplain, requireServiceUrl } from '../smoke/require-service.js';
import { checkpointStoreContract } from './checkpoint-store-contract.js';

describe('RedisCheckpointStore against Redis', () => {
  const redis = new Redis(requireServiceUrl('redis'), { lazyConnect: true, maxRetriesPerRequest: 1 });
  let connected: Promise<void> | undefined;
  afterAll(async () => {
    await redis.quit();
  });

  checkpointStoreContract(async () => {
    connected ??= connectOrExplain('redis', () => redis.connect());
    await connected;
    return new RedisCheckpointStore(redis, { keyPrefix: 'worker-sync-test:', closeClient: false });
  });
});

describe('RedisCheckpointStore without a server', () => {
  it('reports a lost connection as a retriable ConnectionError naming the operation and source', async () => {
    // Port 1 on loopback refuses connections; no retries so the command fails at once.
    const dead = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => undefined);
    const store = new RedisCheckpointStore(dead, { keyPrefix: 'x:' });
    const error = await store.position('pg-main').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).retriable).toBe(true);
    expect((error as Error).message).toMatch(/^redis checkpoint store: position of source pg-main failed: /);
    dead.disconnect();
  });
});
