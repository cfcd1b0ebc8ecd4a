import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const DEMO = fileURLToPath(new URL('../demo/audit-demo.ts', import.meta.url));
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the audit demo', () => {
  it('writes a signed log that the CLI verifies, and the CLI catches the rewritten leaf', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audit-demo-test-'));
    dirs.push(dir);
    const run = spawnSync(process.execPath, ['--import', 'tsx', DEMO, dir], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('a redelivered batch of 100 added 0 (exactly once)');
    expect(run.stdout.match(/^as expected: /gm)).toHaveLength(4);
    expect(run.stdout).not.toContain('UNEXPECTED');
    const reports = run.stdout.split('\n').filter((line) => line.startsWith('{"command"'));
    expect(reports.map((line) => JSON.parse(line) as { command: string; ok: boolean })).toEqual([
      expect.objectContaining({ command: 'replay', ok: true }),
      expect.objectContaining({ command: 'chain', ok: true }),
      expect.objectContaining({ command: 'inclusion', ok: true }),
      expect.objectContaining({ command: 'replay', ok: false, failure: 'inclusion' }),
    ]);
    // The auditor's files are left behind for a human to inspect and re-verify.
    const leaves = (await readFile(join(dir, 'leaves.jsonl'), 'utf8')).trim().split('\n');
    expect(leaves).toHaveLength(1000);
  });
});
