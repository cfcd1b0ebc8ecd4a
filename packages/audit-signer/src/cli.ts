import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseTrustPolicy, type TrustPolicy } from './trust-policy.js';
import { VerificationError, type VerificationFailure } from './verifier/verification-error.js';
import {
  type VerificationResult,
  verifyChain,
  verifyConsistencyBetween,
  verifyInclusionBundle,
  verifyReplay,
} from './verifier/verify-commands.js';

/** Exit codes of `worker-sync-audit verify`. */
export const EXIT_CODES: Readonly<Record<'ok' | VerificationFailure | 'usage', number>> = {
  ok: 0,
  'bad-signature': 2,
  inclusion: 3,
  consistency: 4,
  malformed: 5,
  usage: 64,
};

const USAGE = `usage: worker-sync-audit verify <command> --policy <trust-policy.json> [options]
  inclusion   --bundle <bundle.json>
  consistency --old <checkpoint> --new <checkpoint> --proof <proof.json>
  replay      --export <leaves.jsonl> --checkpoint <checkpoint>
  chain       --checkpoints <checkpoints.jsonl>
exit codes: 0 ok, 2 bad signature, 3 inclusion failed, 4 inconsistent (fork), 5 malformed input, 64 usage`;

/**
 * Runs the offline verifier (no network) and returns its exit code; the report is one JSON line with a fixed key
 * order on `out`, usage errors go to `err`.
 */
export function runCli(argv: readonly string[], out: (line: string) => void, err: (line: string) => void): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    err(`${(error as Error).message}\n${USAGE}`);
    return EXIT_CODES.usage;
  }
  const { command, values } = parsed;
  try {
    const policy = loadPolicy(values.policy as string);
    const result = dispatch(command, values, policy);
    out(JSON.stringify({ command, ok: true, result }));
    return EXIT_CODES.ok;
  } catch (error) {
    const failure: VerificationFailure = error instanceof VerificationError ? error.failure : 'malformed';
    out(JSON.stringify({ command, ok: false, failure, message: (error as Error).message }));
    return EXIT_CODES[failure];
  }
}

function parse(argv: readonly string[]) {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      bundle: { type: 'string' },
      old: { type: 'string' },
      new: { type: 'string' },
      proof: { type: 'string' },
      export: { type: 'string' },
      checkpoint: { type: 'string' },
      checkpoints: { type: 'string' },
    },
  });
  const [verb, command] = positionals;
  if (
    verb !== 'verify' ||
    command === undefined ||
    !['inclusion', 'consistency', 'replay', 'chain'].includes(command)
  ) {
    throw new Error('expected: verify inclusion|consistency|replay|chain');
  }
  const needed: Record<string, string[]> = {
    inclusion: ['bundle'],
    consistency: ['old', 'new', 'proof'],
    replay: ['export', 'checkpoint'],
    chain: ['checkpoints'],
  };
  for (const name of ['policy', ...(needed[command] ?? [])]) {
    if ((values as Record<string, unknown>)[name] === undefined) throw new Error(`missing --${name}`);
  }
  return { command, values: values as Record<string, string | undefined> };
}

function dispatch(command: string, v: Record<string, string | undefined>, policy: TrustPolicy): VerificationResult {
  const read = (name: string) => readInput(v[name] as string, name);
  switch (command) {
    case 'inclusion':
      return verifyInclusionBundle(read('bundle'), policy);
    case 'consistency':
      return verifyConsistencyBetween(read('old'), read('new'), read('proof'), policy);
    case 'replay':
      return verifyReplay(read('export'), read('checkpoint'), policy);
    default:
      return verifyChain(read('checkpoints'), policy);
  }
}

function loadPolicy(path: string): TrustPolicy {
  try {
    return parseTrustPolicy(readInput(path, 'policy'));
  } catch (error) {
    if (error instanceof VerificationError) throw error;
    throw new VerificationError('malformed', `trust policy: ${(error as Error).message}`);
  }
}

function readInput(path: string, name: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new VerificationError('malformed', `cannot read --${name} file`);
  }
}
