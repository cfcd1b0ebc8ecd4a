import type { ChangeSink } from '../interfaces/change-sink.js';
import type { ChangeSource } from '../interfaces/change-source.js';
import type { CapturedChange, ChangeBatch, ChangeEvent, NodeId, SourcePosition } from '../model/change-event.js';
import { writeBackDecider } from './apply-decider.js';
import type { EngineHooks } from './engine-hooks.js';
import type { Reapply } from './log-judge.js';
import type { LogView } from './log-view.js';
import { rowIdOf } from './row-ids.js';

/** What writing settled states back and replaying need from a capture pipeline. */
export interface SettledDeps {
  readonly node: NodeId;
  readonly source: ChangeSource;
  readonly localSink: ChangeSink | undefined;
  readonly view: LogView;
  readonly hooks: EngineHooks;
}

/** Writes settled races back through the node's own sink; a later log record shows them as echoes. */
export async function writeBack(
  deps: SettledDeps,
  reapplies: readonly Reapply[],
  position: SourcePosition,
): Promise<void> {
  const { node, source, localSink, hooks } = deps;
  if (localSink === undefined) return;
  const events: ChangeEvent[] = reapplies.map(({ change, row, version }) => {
    const { applied: _applied, before: _before, unchanged: _unchanged, ...rest } = change;
    return {
      ...rest,
      op: row === null ? 'delete' : 'update',
      ...(row === null ? { after: undefined } : { after: row }),
      origin: node,
      sourceId: `${source.id}:settled`,
      version,
    };
  });
  const batch: ChangeBatch = {
    id: `${node}/${source.id}:settled/${position}`,
    origin: node,
    sourceId: `${source.id}:settled`,
    events,
    position,
  };
  const expected = new Map(reapplies.map((r) => [rowIdOf(r.change.table, r.change.key), r.expected] as const));
  await hooks.retry(() => localSink.apply(batch, writeBackDecider(expected)));
}

/** Replay: the current state (view version, data) of every row the changes touch, once each. */
export async function currentState(deps: SettledDeps, changes: readonly CapturedChange[]): Promise<ChangeEvent[]> {
  const { view, node, source, localSink } = deps;
  const seen = new Set<string>();
  const events: ChangeEvent[] = [];
  for (const change of changes) {
    if (change.op === 'truncate') continue;
    const id = rowIdOf(change.table, change.key);
    const entry = view.get(id);
    if (seen.has(id) || entry === undefined) continue;
    seen.add(id);
    let row = entry.row;
    if (row === undefined && localSink !== undefined) {
      const [stored] = await localSink.read(change.table, [change.key]);
      // Only data whose stored version is the view's belongs to that version; otherwise a newer local write
      // is pending in the log and will be published when it is judged.
      if (stored?.version.hlc === entry.version.hlc && stored.version.writer === entry.version.writer)
        row = stored.row ?? null;
    }
    if (row === undefined) continue;
    const { applied: _applied, before: _before, unchanged: _unchanged, after: _after, ...rest } = change;
    events.push({
      ...rest,
      op: row === null ? 'delete' : 'update',
      ...(row === null ? {} : { after: row }),
      origin: node,
      sourceId: source.id,
      version: entry.version,
    });
  }
  return events;
}
