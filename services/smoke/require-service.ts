/**
 * The URL of a local server for an integration test, or a failure that names the command starting it.
 * Integration tests never skip: a missing server is a failed test.
 */
export function requireService(variable: string, service: string): string {
  const url = process.env[variable];
  if (!url) throw new Error(`${variable} is not set: start the server with \`pnpm services up ${service}\``);
  return url;
}

/** Wraps a connection failure so that it names the server and the command that starts it. */
export function unreachable(service: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`${service} is unreachable (${reason}): start it with \`pnpm services up ${service}\``);
}
