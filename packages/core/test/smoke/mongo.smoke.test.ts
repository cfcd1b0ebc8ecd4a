import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { connectOrExplain, requireServiceUrl } from './require-service.js';

/** Proves a collection change stream sees an insert (the stand-in server supports collection-level watch only). */
describe('mongo change stream', () => {
  const client = new MongoClient(requireServiceUrl('mongo'), { serverSelectionTimeoutMS: 5_000 });
  const collection = client.db('worker_sync').collection<{ _id: number; note: string }>(`smoke_${process.pid}`);

  afterAll(async () => {
    await collection.drop().catch(() => undefined);
    await client.close();
  });

  it('reports an insert to collection.watch()', async () => {
    await connectOrExplain('mongo', () => client.connect());
    const stream = collection.watch();
    try {
      // tryNext runs the aggregate that opens the stream, so the insert below happens after it.
      expect(await stream.tryNext()).toBeNull();
      await collection.insertOne({ _id: 1, note: 'hello' });
      const change = await stream.next();
      expect(change.operationType).toBe('insert');
      if (change.operationType === 'insert') expect(change.fullDocument).toEqual({ _id: 1, note: 'hello' });
    } finally {
      await stream.close();
    }
  });
});
