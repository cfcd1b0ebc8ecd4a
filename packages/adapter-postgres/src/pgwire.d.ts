/** The part of pgwire 0.8 (an untyped ESM library) that the source uses. */
declare module 'pgwire' {
  export interface PgwireResult {
    readonly rows: unknown[][];
  }
  export interface PgoutputRelationColumn {
    readonly flags: number;
    readonly name: string;
    readonly typeOid: number;
  }
  export interface PgoutputRelation {
    readonly relationOid: number;
    readonly schema: string;
    readonly name: string;
    readonly replicaIdentity: string;
    readonly columns: readonly PgoutputRelationColumn[];
  }
  /** One decoded pgoutput message; which fields are set depends on `tag`. */
  export interface PgoutputMessage {
    readonly tag:
      | 'begin'
      | 'origin'
      | 'type'
      | 'relation'
      | 'insert'
      | 'update'
      | 'delete'
      | 'truncate'
      | 'message'
      | 'commit';
    readonly lsn: string | null;
    readonly commitLsn?: string | null;
    readonly commitEndLsn?: string | null;
    readonly commitTime?: bigint;
    readonly xid?: number;
    readonly originName?: string;
    readonly relation?: PgoutputRelation;
    readonly relations?: readonly PgoutputRelation[];
    readonly beforeRaw?: Record<string, string | null | undefined> | null;
    readonly afterRaw?: Record<string, string | null | undefined> | null;
    readonly transactional?: boolean;
    readonly messageLsn?: string | null;
    readonly prefix?: string;
    readonly content?: Uint8Array;
    readonly schema?: string;
    readonly name?: string;
    readonly columns?: readonly PgoutputRelationColumn[];
  }
  export interface ReplicationChunk {
    readonly lastLsn: string;
    readonly lastTime: bigint;
    readonly messages: PgoutputMessage[];
  }
  export interface ReplicationStream {
    pgoutputDecode(): AsyncIterableIterator<ReplicationChunk>;
    ack(lsn: string): void;
  }
  export interface PgConnection {
    query(sql: string): Promise<PgwireResult>;
    logicalReplication(options: {
      slot: string;
      startLsn?: string;
      options?: Record<string, string>;
      ackInterval?: number;
    }): ReplicationStream;
    end(): Promise<void>;
    destroy(cause?: unknown): void;
  }
  export function pgconnection(...options: (string | Record<string, string | number | undefined>)[]): PgConnection;
}
