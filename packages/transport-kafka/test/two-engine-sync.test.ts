import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireKafka, uniquePrefix, waitUntil } from './kafka-test-env.js';

const NODE = fileURLToPath(new URL('./processes/engine-node.ts', import.meta.url));

let brokers: string[];
const children: ChildProcess[] = [];

beforeAll(async () => {
  brokers = await requireKafka();
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function engineNode(prefix: string, node: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', NODE, brokers.join(','), prefix, node], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const state = { rows: 0, digest: '', final: '' };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as { event: string; rows: number; digest: string };
    if (event.event === 'digest') Object.assign(state, { rows: event.rows, digest: event.digest });
    if (event.event === 'final') state.final = event.digest;
  });
  return { child, state };
}

describe('two engines in two processes over Kafka', () => {
  it('sync bidirectionally and converge after concurrent writes to the same rows', async () => {
    const prefix = uniquePrefix('engines');
    const a = engineNode(prefix, 'a');
    const b = engineNode(prefix, 'b');
    await waitUntil(
      'both nodes holding all 30 rows with equal digests',
      () => a.state.rows === 30 && b.state.rows === 30 && a.state.digest === b.state.digest,
      90_000,
    );
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    await waitUntil('both final digests', () => a.state.final !== '' && b.state.final !== '', 60_000);
    expect(a.state.final).toBe(b.state.final);
  });
});
