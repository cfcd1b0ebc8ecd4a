import { execFileSync } from 'node:child_process';
import { InProcessTransport, lastWriterWins, type SyncEngineStatus } from '@worker-sync/core';
import { AccountsApplication } from './accounts-application.js';
import { ACCOUNTS, type Account, digestTable, resetServer, type TableDigest } from './accounts-table.js';
import { type AuditSummary, AuditTrail } from './audit-trail.js';
import { type SyncNode, sourceIdOf, syncNode } from './sync-node.js';

const NODES = { local: 'ff-local', backup: 'ff-backup' } as const;

/** One conflict an engine settled, as the report lists it. */
export interface SettledConflict {
  readonly node: string;
  readonly table: string;
  readonly id: string;
  readonly detectedAt: 'capture' | 'apply';
  readonly resolver: string;
  /** Which side won from `node`'s point of view (`parked` would mean waiting for a person). */
  readonly outcome: 'local' | 'remote' | 'merged' | 'parked';
  readonly winner: string;
}

/** What the scenario found. */
export interface FailoverReport {
  readonly steps: readonly string[];
  /** Statements the application executed, and distinct accounts they touched. */
  readonly writes: number;
  readonly accountsWritten: number;
  /** Accounts that must exist at the end (written anywhere, not closed last). */
  readonly accountsExpected: number;
  readonly digests: readonly { table: string; local: string; backup: string; localRows: number; backupRows: number }[];
  /** Accounts missing on a server, or holding another state than the application's last write (`id@server`). */
  readonly missing: readonly string[];
  readonly wrong: readonly string[];
  readonly conflicts: readonly SettledConflict[];
  /** Conflicts counted by the engines (the list above holds the most recent ones) and those left parked. */
  readonly conflictsTotal: number;
  readonly conflictsParked: number;
  readonly deadLetters: number;
  /** From the hard kill of pg-local until it answered again. */
  readonly localDownMillis: number;
  /** From pg-local answering again until both servers held the expected state. */
  readonly convergeMillis: number;
  readonly audit: AuditSummary;
  readonly converged: boolean;
}

/** Where the servers are and how to stop and start pg-local. */
export interface ScenarioOptions {
  readonly localUrl: string;
  readonly backupUrl: string;
  /** Path of `scripts/services.sh`. */
  readonly servicesScript: string;
  /** Longest wait for convergence after pg-local answers (default 120 s). */
  readonly convergeSeconds?: number;
  readonly log?: (line: string) => void;
}

/** Polls `check` every 100 ms until it holds or `seconds` pass; true when it held. */
async function until(check: () => Promise<boolean>, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function withTimeout(promise: Promise<unknown>, millis: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, millis);
    }),
  ]);
  clearTimeout(timer);
}

function settledConflicts(status: SyncEngineStatus): SettledConflict[] {
  return status.conflicts.recent.map((c) => ({
    node: status.node,
    table: `${c.table.namespace}.${c.table.name}`,
    id: String(c.key[0]?.[1]),
    detectedAt: c.detectedAt,
    resolver: c.resolver,
    outcome: c.outcome,
    winner: c.outcome === 'local' ? c.localWriter : c.outcome === 'remote' ? c.remoteWriter : c.outcome,
  }));
}

/** Accounts absent from a server, and accounts whose state differs from the application's last write. */
function compare(expected: ReadonlyMap<number, Account | null>, servers: Record<string, TableDigest>) {
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const [id, account] of expected) {
    for (const [server, digest] of Object.entries(servers)) {
      const found = digest.accounts.get(id);
      if (account !== null && found === undefined) missing.push(`${id}@${server}`);
      else if (account === null ? found !== undefined : JSON.stringify(found) !== JSON.stringify(account))
        wrong.push(`${id}@${server}`);
    }
  }
  return { missing, wrong };
}

/**
 * The failover/failback scenario: the application writes to pg-local; pg-local takes writes its engine has not
 * shipped yet and is killed hard (kill -9), while its engine keeps running; the application fails over to pg-backup
 * and keeps writing, including the same accounts (updates, a re-open, a close); pg-local comes back, the application
 * fails back and worker-sync (one engine per server, last-writer-wins, every change in a signed audit log) brings
 * both servers to the same state.
 * pg-local is running again when this returns or throws.
 */
export async function runFailoverFailback(options: ScenarioOptions): Promise<FailoverReport> {
  const log = options.log ?? (() => undefined);
  const steps: string[] = [];
  const step = (line: string) => {
    steps.push(line);
    log(line);
  };
  const services = (...args: string[]) => {
    try {
      execFileSync('bash', [options.servicesScript, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
      throw new Error(`services.sh ${args.join(' ')} failed: ${stderr || String(error)}`);
    }
  };
  for (const [url, node] of [
    [options.localUrl, NODES.local],
    [options.backupUrl, NODES.backup],
  ] as const) {
    const slot = `worker_sync_${sourceIdOf(node)}`;
    await resetServer({ url, slot, publication: slot, nodes: [NODES.local, NODES.backup] });
  }

  const audit = await AuditTrail.open();
  const transport = new InProcessTransport({ partitions: 4 });
  const node = (name: string, url: string): SyncNode =>
    syncNode({ name, url, tables: [ACCOUNTS], transport, resolver: lastWriterWins, audit: audit.log });
  const local = node(NODES.local, options.localUrl);
  const backup = node(NODES.backup, options.backupUrl);
  let localDown = false;
  try {
    // The slots exist before the application writes, so each server's log keeps every change from here on.
    await local.source.init();
    await backup.source.init();
    await local.engine.start();
    await backup.engine.start();
    const app = new AccountsApplication(options.localUrl, options.backupUrl);
    const read = async () => ({
      local: await digestTable(options.localUrl),
      backup: await digestTable(options.backupUrl),
    });
    const settled = async () => {
      const servers = await read();
      const { missing, wrong } = compare(app.expected, servers);
      return servers.local.md5 === servers.backup.md5 && missing.length === 0 && wrong.length === 0;
    };

    step('1. the application opens accounts 1–40 on pg-local; worker-sync copies them to pg-backup');
    for (let id = 1; id <= 40; id++) await app.open(id, 'opened on local');
    if (!(await until(settled, 60))) throw new Error('the first copy of accounts 1–40 to pg-backup did not complete');

    step('2. pg-local takes writes its engine has not shipped (engine paused): 1–5 and 20 updated, 41–45 opened');
    local.engine.pause();
    for (let id = 1; id <= 5; id++) await app.update(id, id * 10 + 1, 'local, before the crash');
    await app.update(20, 201, 'local, before the crash');
    for (let id = 41; id <= 45; id++) await app.open(id, 'opened on local, before the crash');

    step('3. pg-local is killed hard (services.sh down --hard: kill -9 of the postmaster and its backends)');
    localDown = true;
    services('down', '--hard', 'pg-local');
    const killedAt = Date.now();

    step('4. the application fails over to pg-backup and writes the same accounts: 1–3 updated, 44–45 opened again');
    step('   (pg-local had opened them but never shipped them), 20 closed; and new ones: 46–60 opened');
    for (let id = 1; id <= 3; id++) await app.update(id, id * 10 - 5, 'backup, during the split');
    step(`   (the application now writes to its ${app.target} server)`);
    for (let id = 44; id <= 45; id++) await app.open(id, 'opened again on backup, during the split');
    await app.close(20);
    for (let id = 46; id <= 60; id++) await app.open(id, 'opened on backup, during the split');
    // Resumed only now: log its source had already received before the kill may still be shipped once it runs, and
    // shipped before these writes it would turn the split into plain replication (44–45 would already exist).
    step('   the local engine resumes and keeps running against the dead server, as a host process would');
    local.engine.resume();

    step('5. pg-local comes back (services.sh up pg-local); its engine reconnects and reads on from the slot');
    services('up', 'pg-local');
    localDown = false;
    const answeredAt = Date.now();
    step('6. the application fails back to pg-local and opens 61–65 there while worker-sync catches up');
    app.failback();
    for (let id = 61; id <= 65; id++) await app.open(id, 'opened on local, after the failback');
    const reached = await until(settled, options.convergeSeconds ?? 120);
    const convergedAt = Date.now();
    // A quiet second: nothing may move once both sides hold the expected state.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const [ls, bs] = await Promise.all([local.engine.status(), backup.engine.status()]);
    const servers = await read();
    const { missing, wrong } = compare(app.expected, servers);
    await stopNodes([local, backup]);
    const auditSummary = await audit.verify();
    const accountsExpected = [...app.expected.values()].filter((a) => a !== null).length;
    return {
      steps,
      writes: app.writes,
      accountsWritten: app.expected.size,
      accountsExpected,
      digests: [
        {
          table: `public.${ACCOUNTS}`,
          local: servers.local.md5,
          backup: servers.backup.md5,
          localRows: servers.local.rows,
          backupRows: servers.backup.rows,
        },
      ],
      missing,
      wrong,
      conflicts: [...settledConflicts(ls), ...settledConflicts(bs)],
      conflictsTotal: ls.conflicts.total + bs.conflicts.total,
      conflictsParked: ls.conflicts.parked + bs.conflicts.parked,
      deadLetters: ls.deadLetters.count + bs.deadLetters.count,
      localDownMillis: answeredAt - killedAt,
      convergeMillis: convergedAt - answeredAt,
      audit: auditSummary,
      converged: reached && servers.local.md5 === servers.backup.md5 && missing.length === 0 && wrong.length === 0,
    };
  } finally {
    if (localDown) services('up', 'pg-local');
    await stopNodes([local, backup]);
    await withTimeout(transport.close(), 5000);
    await audit.close();
  }
}

/** Stops the engines and closes their connections; a second call does nothing more. */
async function stopNodes(nodes: readonly SyncNode[]): Promise<void> {
  for (const node of nodes) await withTimeout(node.engine.stop(), 5000);
  for (const node of nodes) {
    await withTimeout(node.source.close(), 5000);
    await withTimeout(node.sink.close(), 5000);
  }
}
