import type { ApplyDecider, ChangeBatch, ChangeEvent, RowVersion } from '@worker-sync/core';
import pg from 'pg';

/** The URL of a service from the env file the service scripts write; fails (never skips) when it is missing. */
export function serviceUrl(name: 'PG_LOCAL_URL' | 'PG_BACKUP_URL'): string {
  const url = process.env[name];
  const service = name === 'PG_LOCAL_URL' ? 'pg-local' : 'pg-backup';
  if (url === undefined || url === '') throw new Error(`${name} is not set: run \`pnpm services up ${service}\``);
  return url;
}

/** Runs SQL on a fresh connection; a refused connection names the service command. */
export async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `cannot reach ${new URL(url).host}: run \`pnpm services up pg-local pg-backup\` (${String(error)})`,
    );
  }
  try {
    // Without parameters the simple protocol runs, which also takes several statements (metadata DDL).
    return values.length === 0 ? await client.query(text) : await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** Polls `check` every 100 ms until it holds; fails naming `what` after `seconds`. */
export async function until(check: () => Promise<boolean>, what: string, seconds = 120): Promise<void> {
  for (const deadline = Date.now() + seconds * 1000; Date.now() < deadline; ) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Version vector order for tests: true when every counter of a is ≤ b's. */
function dominated(a: RowVersion['vv'], b: RowVersion['vv']): boolean {
  return Object.entries(a).every(([node, n]) => n <= (b[node] ?? 0));
}

/** The engine's decision rule for the dominated/dominating cases; concurrent versions take the higher HLC. */
export const decideByVersion: ApplyDecider = (incoming, current) => {
  const row = incoming.op === 'delete' || incoming.op === 'truncate' ? null : (incoming.after ?? null);
  if (current === undefined) return { kind: 'write', row, version: incoming.version };
  if (dominated(incoming.version.vv, current.version.vv)) return { kind: 'skip' };
  if (dominated(current.version.vv, incoming.version.vv) || incoming.version.hlc > current.version.hlc) {
    return { kind: 'write', row, version: incoming.version };
  }
  return { kind: 'keep', version: { ...current.version, vv: { ...incoming.version.vv, ...current.version.vv } } };
};

let counter = 0;

/** Builds a batch of stamped events from one origin. */
export function batchOf(
  origin: string,
  position: string,
  events: Omit<ChangeEvent, 'origin' | 'sourceId' | 'position' | 'tx'>[],
): ChangeBatch {
  counter += 1;
  return {
    id: `${origin}/src/${position}/${counter}`,
    origin,
    sourceId: 'src',
    position,
    events: events.map((event, index) => ({
      ...event,
      origin,
      sourceId: 'src',
      position,
      tx: { id: String(counter), commitTimeMicros: 0n, index, last: index === events.length - 1 },
    })),
  };
}
