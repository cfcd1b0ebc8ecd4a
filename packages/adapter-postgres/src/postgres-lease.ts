import { ConnectionError, IntegrityError } from '@worker-sync/core';
import type pg from 'pg';
import { createExactClient } from './postgres-connection.js';
import { LEASES, metadataDdl } from './postgres-metadata.js';

/**
 * One active reader per replication slot across engine instances: a session advisory lock held on a dedicated
 * connection. When the holder dies its session ends and the lock is released, so a waiting instance takes over.
 * Each acquisition increments a fencing token in `worker_sync.leases`; {@link SlotLease.check} (called before every
 * acknowledgement) fails once another instance has taken the lease, so a stalled former leader cannot move the slot.
 */
export class SlotLease {
  private client: pg.Client | undefined;
  private token: bigint | undefined;

  constructor(
    private readonly url: string,
    private readonly slot: string,
    private readonly holder: string,
  ) {}

  /** Waits until this instance holds the lease (or `signal` aborts); returns the fencing token. */
  async acquire(retryMillis: number, signal?: AbortSignal): Promise<bigint> {
    const client = createExactClient(this.url);
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query(metadataDdl());
      for (;;) {
        const got = await client.query<{ ok: string }>(
          'SELECT pg_try_advisory_lock(hashtextextended($1, 0))::text AS ok',
          [`worker_sync.lease.${this.slot}`],
        );
        if (got.rows[0]?.ok === 'true') break;
        if (signal?.aborted) throw new ConnectionError(`stopped while waiting for the lease of slot ${this.slot}`);
        await new Promise((resolve) => setTimeout(resolve, retryMillis));
      }
      const result = await client.query<{ token: string }>(
        `INSERT INTO ${LEASES} (slot, token, holder) VALUES ($1, 1, $2)
         ON CONFLICT (slot) DO UPDATE SET token = ${LEASES}.token + 1, holder = EXCLUDED.holder, acquired_at = now()
         RETURNING token::text`,
        [this.slot, this.holder],
      );
      this.client = client;
      this.token = BigInt(result.rows[0]!.token);
      return this.token;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Fails unless this instance still holds the lease under the same fencing token. When only the lease's connection
   * was lost (the server restarted), the lock is taken again if it is free and the token is still this instance's.
   */
  async check(): Promise<void> {
    if (this.client === undefined || this.token === undefined) return;
    let current: string | undefined;
    try {
      current = await this.readToken(this.client);
    } catch (error) {
      current = await this.retake().catch((retakeError: unknown) => {
        throw new IntegrityError(`lost the lease of slot ${this.slot}: its connection failed`, 'LEASE_LOST', {
          cause: retakeError ?? error,
        });
      });
    }
    if (current !== this.token.toString()) {
      throw new IntegrityError(
        `lost the lease of slot ${this.slot}: fencing token ${this.token} superseded by ${current}`,
        'LEASE_LOST',
      );
    }
  }

  private async readToken(client: pg.Client): Promise<string | undefined> {
    const result = await client.query<{ token: string }>(`SELECT token::text FROM ${LEASES} WHERE slot = $1`, [
      this.slot,
    ]);
    return result.rows[0]?.token;
  }

  /** Reconnects and takes the lock again; returns the stored token (the caller compares it with its own). */
  private async retake(): Promise<string | undefined> {
    await this.client?.end().catch(() => undefined);
    const client = createExactClient(this.url);
    client.on('error', () => undefined);
    await client.connect();
    const got = await client.query<{ ok: string }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0))::text AS ok', [
      `worker_sync.lease.${this.slot}`,
    ]);
    if (got.rows[0]?.ok !== 'true') {
      await client.end().catch(() => undefined);
      throw new IntegrityError(`lease of slot ${this.slot} is held by another instance`, 'LEASE_LOST');
    }
    this.client = client;
    return this.readToken(client);
  }

  /** Releases the lease by closing its connection. */
  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.token = undefined;
    await client?.end().catch(() => undefined);
  }
}
