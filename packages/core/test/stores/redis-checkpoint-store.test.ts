import { Redis } from 'ioredis';
import { afterAll, describe } from 'vitest';
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
