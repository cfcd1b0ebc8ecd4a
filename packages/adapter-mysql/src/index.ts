export type { MySqlColumnDefinition, MySqlColumnType, MySqlTypeFamily } from './mysql-column.js';
export { parseColumnType } from './mysql-column.js';
export {
  type MySqlSinkConfig,
  type MySqlSinkConfigInput,
  MySqlSinkConfigSchema,
  type MySqlSourceConfig,
  type MySqlSourceConfigInput,
  MySqlSourceConfigSchema,
} from './mysql-config.js';
export {
  APPLIED_POSITIONS_TABLE,
  ROW_VERSIONS_TABLE,
  SCHEMA_HISTORY_TABLE,
} from './mysql-metadata.js';
export { type BinlogPosition, decodePosition, encodePosition, type SnapshotCursor } from './mysql-position.js';
export { MySqlSink } from './mysql-sink.js';
export { MySqlSource } from './mysql-source.js';
export {
  DEFAULT_TYPE_OPTIONS,
  fromMySql,
  type MappedColumn,
  type MySqlTypeOptions,
  mapColumn,
  toMySql,
} from './mysql-types.js';
