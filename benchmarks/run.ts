/**
 * `pnpm bench [suite...] [-- args]`: runs benchmark suites and prints their figures.
 *
 * Each suite is a module `benchmarks/<file>.ts` exporting `run(args)`. With no suite named, every suite runs.
 * Suites measure a baseline in the same run wherever one exists and print the ratio; none asserts a threshold.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import loadServicesEnv from '../scripts/vitest-services-env.js';

interface Suite {
  readonly file: string;
  readonly about: string;
}

const suites: Record<string, Suite> = {
  core: { file: 'core-codec.ts', about: 'codec, version vectors and resolver decisions' },
  engine: { file: 'core-engine.ts', about: 'engine throughput through the in-memory adapter' },
  audit: { file: 'audit.ts', about: 'audit log appends, checkpoints, proofs, replay' },
  pg: { file: 'postgres.ts', about: 'PostgreSQL → PostgreSQL vs native logical replication' },
  mysql: { file: 'mysql.ts', about: 'MariaDB ↔ PostgreSQL vs bulk load' },
  kafka: { file: 'kafka.ts', about: 'Kafka transport vs plain kafkajs' },
};

async function main(): Promise<void> {
  loadServicesEnv();
  const argv = process.argv.slice(2);
  const dash = argv.indexOf('--');
  const names = (dash === -1 ? argv : argv.slice(0, dash)).filter((a) => !a.startsWith('-'));
  const args = dash === -1 ? [] : argv.slice(dash + 1);
  const unknown = names.filter((n) => !(n in suites));
  if (unknown.length > 0) {
    throw new Error(`unknown benchmark suite(s) ${unknown.join(', ')}; known: ${Object.keys(suites).join(', ')}`);
  }
  for (const name of names.length > 0 ? names : Object.keys(suites)) {
    const suite = suites[name]!;
    const path = fileURLToPath(new URL(suite.file, import.meta.url));
    if (!existsSync(path)) {
      console.log(`\n## ${name}: not available (${suite.file} missing)`);
      continue;
    }
    console.log(`\n## ${name}: ${suite.about}`);
    const module = (await import(path)) as { run(args: string[]): Promise<void> };
    await module.run(args);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
