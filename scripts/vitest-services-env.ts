import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Loads the connection URLs that `pnpm services up` wrote into the environment of the
 * integration tests. A variable already set in the environment wins, so any server can be
 * pointed elsewhere (for example `MONGO_URL` at a real replica set).
 */
export default function loadServicesEnv(): void {
  const file = fileURLToPath(new URL('../.services/services.env', import.meta.url));
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match && process.env[match[1]!] === undefined) process.env[match[1]!] = match[2]!;
  }
}
