/**
 * CPU time a local database server spends, read from Linux's `/proc`: the server's main process, its live children
 * (backends, walsenders, apply workers, background writers) and the children it has already reaped (`cutime` and
 * `cstime` of the main process), so a backend that exits during a measurement still counts. A benchmark reads it
 * before and after a leg: on a machine of a few cores, the servers and the worker-sync process compete for the same
 * cores, and the sum of their CPU per row bounds the rate any of them can reach.
 *
 * Elsewhere than Linux, or when the process cannot be found, the meter reads `undefined` and the figure is left out.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` times: 100 on every Linux build the benchmarks run on. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  readonly parent: number;
  /** utime + stime, and cutime + cstime, in ticks. */
  readonly own: number;
  readonly reaped: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are plain numbers.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const at = (field: number) => Number(fields[field - 3]);
    return { parent: at(4), own: at(14) + at(15), reaped: at(16) + at(17) };
  } catch {
    return undefined;
  }
}

function processIds(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Ticks of CPU spent so far by the process `root` and every descendant, live or reaped. */
function treeTicks(root: number): number | undefined {
  const stats = new Map<number, ProcStat>();
  for (const pid of processIds()) {
    const stat = readStat(pid);
    if (stat !== undefined) stats.set(pid, stat);
  }
  const rootStat = stats.get(root);
  if (rootStat === undefined) return undefined;
  let ticks = rootStat.own + rootStat.reaped;
  // Server processes are direct children of the main process; grandchildren (none expected) are in their parents'
  // reaped times once they exit, and left out while they live.
  for (const stat of stats.values()) if (stat.parent === root) ticks += stat.own;
  return ticks;
}

/** The main process whose command line carries `marker` (a data directory, a defaults file), or undefined. */
export function findServerProcess(marker: string): number | undefined {
  for (const pid of processIds()) {
    const stat = readStat(pid);
    if (stat === undefined || !readCommandLine(pid).includes(marker)) continue;
    // The main process, not one of its children (whose command lines PostgreSQL rewrites anyway).
    if (!readCommandLine(stat.parent).includes(marker)) return pid;
  }
  return undefined;
}

function readCommandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** A running measurement: `stop()` gives the µs of CPU the server spent since it started, or undefined. */
export interface ServerCpuMeter {
  stop(): number | undefined;
}

/** Starts measuring the CPU of the server process `pid` (undefined: a meter that reads undefined). */
export function startServerCpu(pid: number | undefined): ServerCpuMeter {
  const before = pid === undefined ? undefined : treeTicks(pid);
  return {
    stop() {
      if (pid === undefined || before === undefined) return undefined;
      const after = treeTicks(pid);
      return after === undefined ? undefined : ((after - before) * 1_000_000) / TICKS_PER_SECOND;
    },
  };
}

/** The process id a server wrote to its pid file (MariaDB's `@@pid_file`), or undefined when it cannot be read. */
export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}
