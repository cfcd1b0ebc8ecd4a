import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { requireService, unreachable } from './require-service.js';

it('Redis answers', async () => {
  const redis = new Redis(requireService('REDIS_URL', 'redis'), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect().catch((error: unknown) => {
    throw unreachable('redis', error);
  });
  try {
    expect(await redis.ping()).toBe('PONG');
  } finally {
    redis.disconnect();
  }
});
