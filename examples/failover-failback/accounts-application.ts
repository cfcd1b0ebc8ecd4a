import { type Account, accountStatements } from './accounts-table.js';
import { FailoverConnection } from './failover-connection.js';

/**
 * The application: opens, updates and closes accounts through a connection that fails over, and remembers what it
 * wrote. Its writes are sequential, so under last-writer-wins the state both servers must end with is simply the
 * last write of each account, wherever it went.
 */
export class AccountsApplication {
  private readonly connection: FailoverConnection;
  private readonly last = new Map<number, Account | null>();
  private statements = 0;

  constructor(primaryUrl: string, backupUrl: string) {
    this.connection = new FailoverConnection(primaryUrl, backupUrl);
  }

  /** Which server the last statement went to. */
  get target(): 'primary' | 'backup' {
    return this.connection.target;
  }

  /** Statements executed. */
  get writes(): number {
    return this.statements;
  }

  /** Every account written anywhere, with its last written state (`null`: closed). */
  get expected(): ReadonlyMap<number, Account | null> {
    return this.last;
  }

  async open(id: number, note: string): Promise<void> {
    const account = { id, owner: `owner ${id}`, balance: (id * 10).toFixed(2), note };
    await this.connection.query(accountStatements.open, [id, account.owner, account.balance, note]);
    this.record(id, account);
  }

  /** Sets an account's balance and note; the account must exist on the server written to. */
  async update(id: number, balance: number, note: string): Promise<void> {
    const result = await this.connection.query(accountStatements.update, [id, balance.toFixed(2), note]);
    if (result.rowCount !== 1) throw new Error(`account ${id} does not exist on the ${this.target} server`);
    const before = this.last.get(id);
    if (!before) throw new Error(`account ${id} was never opened`);
    this.record(id, { ...before, balance: balance.toFixed(2), note });
  }

  async close(id: number): Promise<void> {
    await this.connection.query(accountStatements.close, [id]);
    this.record(id, null);
  }

  /** Sends the next statements to the primary again. */
  failback(): void {
    this.connection.failback();
  }

  private record(id: number, account: Account | null): void {
    this.statements += 1;
    this.last.set(id, account);
  }
}
