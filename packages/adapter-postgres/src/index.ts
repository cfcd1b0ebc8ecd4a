export {
  type PostgresSinkConfig,
  type PostgresSinkConfigInput,
  PostgresSinkConfigSchema,
  type PostgresSourceConfig,
  type PostgresSourceConfigInput,
  PostgresSourceConfigSchema,
} from './postgres-config.js';
export { PostgresSink } from './postgres-sink.js';
export { PostgresSource } from './postgres-source.js';
export { valueFromPg, valueToPg } from './postgres-types.js';
