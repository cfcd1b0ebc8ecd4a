import { logLevel as KafkaLogLevel, type logCreator } from 'kafkajs';
import type { KafkaLogEntry, KafkaTransportConfig } from './kafka-config.js';

/** Fields whose values are credentials or key material anywhere they appear in a kafkajs log entry. */
const SECRET_FIELD =
  /^(sasl|password|username|secret|accessKeyId|secretAccessKey|sessionToken|authorizationIdentity|oauthBearerProvider|key|cert|ca|pfx|passphrase|token)$/i;

/** The kafkajs log level for a configured level name. */
export function kafkaLogLevel(level: KafkaTransportConfig['logLevel']): KafkaLogLevel {
  return {
    nothing: KafkaLogLevel.NOTHING,
    error: KafkaLogLevel.ERROR,
    warn: KafkaLogLevel.WARN,
    info: KafkaLogLevel.INFO,
    debug: KafkaLogLevel.DEBUG,
  }[level];
}

/** Copies a log payload, replacing every secret-bearing field (at any depth) by `[redacted]`. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return '[bytes]';
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [field, v] of Object.entries(value)) {
    out[field] = SECRET_FIELD.test(field) ? '[redacted]' : redactSecrets(v, depth + 1);
  }
  return out;
}

/**
 * A kafkajs `logCreator` that drops SASL and TLS secrets before anything is written, then hands the entry to the
 * host's logger (default: one JSON line on stderr).
 */
export function redactingLogCreator(sink?: (entry: KafkaLogEntry) => void): logCreator {
  const write = sink ?? ((entry: KafkaLogEntry) => process.stderr.write(`${JSON.stringify(entry)}\n`));
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      write({
        level: levelName(level),
        namespace,
        message: String(message),
        extra: redactSecrets(extra) as Record<string, unknown>,
      });
    };
}

function levelName(level: KafkaLogLevel): KafkaLogEntry['level'] {
  if (level <= KafkaLogLevel.ERROR) return 'error';
  if (level === KafkaLogLevel.WARN) return 'warn';
  if (level === KafkaLogLevel.INFO) return 'info';
  return 'debug';
}
