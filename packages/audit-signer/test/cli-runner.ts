import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

/** Runs `worker-sync-audit` as a separate process (as an auditor would) and returns its exit code and report. */
export function runVerifier(args: readonly string[]): { code: number; report: Record<string, unknown> } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', BIN, ...args], { encoding: 'utf8' });
  if (result.status === null) throw new Error(`verifier was killed by ${result.signal}`);
  const line = result.stdout.trim();
  return {
    code: result.status,
    report: line.length > 0 ? (JSON.parse(line) as Record<string, unknown>) : { stderr: result.stderr },
  };
}
