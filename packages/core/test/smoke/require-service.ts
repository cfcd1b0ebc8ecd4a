/** The servers that `pnpm services up <name>` starts, with the variable that carries each one's address. */
const SERVICES = {
  'pg-local': 'PG_LOCAL_URL',
  'pg-backup': 'PG_BACKUP_URL',
  mariadb: 'MYSQL_URL',
  redis: 'REDIS_URL',
  kafka: 'KAFKA_BROKERS',
  mongo: 'MONGO_URL',
} as const;

/** A service name as `scripts/services.sh` knows it. */
export type ServiceName = keyof typeof SERVICES;

/**
 * Returns the connection URL of a service from the environment (filled from `.services/services.env`).
 * Throws, rather than skipping, when it is missing: a smoke test without its server must fail loudly.
 */
export function requireServiceUrl(name: ServiceName): string {
  const variable = SERVICES[name];
  const url = process.env[variable];
  if (!url) {
    throw new Error(`${variable} is not set; start the server with \`pnpm services up ${name}\``);
  }
  return url;
}

/**
 * Runs `connect` and, if it fails, rethrows with the command that starts the server, keeping the
 * driver's error as the cause. Use it for the first contact with a server.
 */
export async function connectOrExplain<T>(name: ServiceName, connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${name} is unreachable (${reason}); start it with \`pnpm services up ${name}\``, {
      cause: error,
    });
  }
}
