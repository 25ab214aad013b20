/**
 * Recorded local executions: what the Step Functions console keeps for a deployed run (each state's
 * input, output, error, retries and timing), written by the CLI after every local run so the console
 * can open it later. One JSON file per execution under `<data dir>/executions/`, written atomically;
 * the definition the run used travels with it, so an old record is drawn with the graph it ran on.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModerationInput } from '../../functions/shared/contracts/index.js';
import type { AslDefinition } from '../asl.js';
import { walkStates } from '../asl.js';
import { ExecutionFailed, type EngineEvent, type LocalExecution } from './engine.js';
import type { ExecutionRecord, ExecutionSummary, StateError, StateRun } from './execution-record.js';
import type { LocalWorkflow } from './workflow.js';

/** Record ids are time-sortable and safe in a URL and a file name: nothing else is ever opened. */
export const EXECUTION_ID = /^\d{8}T\d{6}\d{3}Z-[0-9a-f]{8}$/;

export function newExecutionId(at: Date): string {
  return `${at.toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
}

function causeText(c: unknown): string | undefined {
  if (c === undefined || c === null) return undefined;
  return typeof c === 'string' ? c : JSON.stringify(c);
}

/** Each state visit from the engine's event log, in the order the states were entered. */
export function stateRuns(events: EngineEvent[], definition: AslDefinition, t0: number): StateRun[] {
  const parents = new Map<string, string[]>();
  for (const { name, parents: p } of walkStates(definition)) parents.set(name, p);
  const runs: StateRun[] = [];
  const open = new Map<string, StateRun>();
  const lastError = new Map<string, StateError>();
  for (const ev of events) {
    if (!ev || !('state' in ev) || !ev.state) continue;
    const name = ev.state.name;
    switch (ev.type) {
      case 'StateEntered': {
        const run: StateRun = {
          name,
          parents: parents.get(name) ?? [],
          type: ev.state.type,
          outcome: 'running',
          startMs: ev.timestamp - t0,
          input: ev.state.input,
          retries: [],
        };
        runs.push(run);
        open.set(name, run);
        break;
      }
      case 'StateExited': {
        const run = open.get(name);
        if (!run) break;
        run.outcome = run.outcome === 'caught' ? 'caught' : 'succeeded';
        run.output = ev.state.output;
        run.durationMs = ev.timestamp - t0 - run.startMs;
        break;
      }
      case 'StateFailed': {
        const run = open.get(name);
        const error = { Error: ev.Error, Cause: causeText(ev.Cause) };
        lastError.set(name, error);
        if (!run) break;
        run.outcome = 'failed';
        run.error = error;
        run.durationMs = ev.timestamp - t0 - run.startMs;
        break;
      }
      case 'StateRetried': {
        const run = open.get(name);
        if (!run) break;
        run.retries.push({ attempt: ev.retry.attempt, error: lastError.get(name) });
        run.outcome = 'running';
        run.error = undefined;
        break;
      }
      case 'StateCaught': {
        const run = open.get(name);
        if (!run) break;
        run.outcome = 'caught';
        run.error = lastError.get(name) ?? run.error;
        run.durationMs = ev.timestamp - t0 - run.startMs;
        break;
      }
      default:
        break;
    }
  }
  return runs;
}

export function toRecord(
  input: ModerationInput,
  definition: AslDefinition,
  outcome: { execution: LocalExecution } | { events: EngineEvent[]; error: StateError; totalMs: number },
  startedAt: Date,
): ExecutionRecord {
  const events = 'execution' in outcome ? outcome.execution.events : outcome.events;
  const started = events.find((e) => e?.type === 'ExecutionStarted');
  const t0 = started?.timestamp ?? events.find((e) => e)?.timestamp ?? startedAt.getTime();
  const base = {
    version: 1 as const,
    id: newExecutionId(startedAt),
    startedAt: startedAt.toISOString(),
    input,
    definition,
    states: stateRuns(events, definition, t0),
  };
  if ('execution' in outcome) {
    const { status, verdict, totalMs } = outcome.execution;
    return { ...base, status, verdict, totalMs };
  }
  return { ...base, status: 'FAILED', error: outcome.error, totalMs: outcome.totalMs };
}

export function summarize(r: ExecutionRecord): ExecutionSummary {
  return {
    id: r.id,
    startedAt: r.startedAt,
    input: r.input,
    status: r.status,
    totalMs: r.totalMs,
    decision: r.verdict?.decision,
    sha256: r.verdict?.image?.sha256,
  };
}

/** Records kept at most; older ones are pruned on write so a busy laptop's disk does not fill. */
export const DEFAULT_KEEP = 2000;

export class ExecutionLog {
  readonly dir: string;
  constructor(
    dataDir: string,
    private readonly keep = DEFAULT_KEEP,
  ) {
    this.dir = path.join(path.resolve(dataDir), 'executions');
  }

  /** Fails at start-up, not per image, when the directory cannot be created or written. */
  async open(): Promise<this> {
    await mkdir(this.dir, { recursive: true });
    const probe = path.join(this.dir, `.probe-${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(probe, '');
    await rm(probe);
    await this.prune();
    return this;
  }

  async save(record: ExecutionRecord): Promise<void> {
    const dest = this.file(record.id);
    const tmp = path.join(this.dir, `.${record.id}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(tmp, JSON.stringify(record), { flag: 'wx' });
    await rename(tmp, dest);
  }

  async ids(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names
      .filter((n) => n.endsWith('.json') && EXECUTION_ID.test(n.slice(0, -5)))
      .map((n) => n.slice(0, -5))
      .sort()
      .reverse();
  }

  /** Newest first. */
  async list(limit = 200): Promise<ExecutionSummary[]> {
    const ids = (await this.ids()).slice(0, limit);
    const out: ExecutionSummary[] = [];
    for (const id of ids) {
      const r = await this.get(id);
      if (r) out.push(summarize(r));
    }
    return out;
  }

  async get(id: string): Promise<ExecutionRecord | undefined> {
    if (!EXECUTION_ID.test(id)) return undefined;
    try {
      return JSON.parse(await readFile(this.file(id), 'utf8')) as ExecutionRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async prune(): Promise<number> {
    const old = (await this.ids()).slice(this.keep);
    await Promise.all(old.map((id) => rm(this.file(id), { force: true })));
    return old.length;
  }

  private file(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }
}

/**
 * The CLI's local runner with a recorder around it: every run (verdict or engine failure) is saved
 * before its result is returned, so what the terminal printed can always be opened in the console.
 */
export function recording(workflow: Pick<LocalWorkflow, 'run' | 'definition'>, log: ExecutionLog): Pick<LocalWorkflow, 'run'> {
  let writes = 0;
  return {
    async run(input) {
      const startedAt = new Date();
      const t0 = performance.now();
      try {
        const execution = await workflow.run(input);
        await log.save(toRecord(input, workflow.definition, { execution }, startedAt));
        return execution;
      } catch (err) {
        if (err instanceof ExecutionFailed) {
          const error = { Error: err.error, Cause: err.detail };
          await log.save(toRecord(input, workflow.definition, { events: err.events, error, totalMs: performance.now() - t0 }, startedAt));
        }
        throw err;
      } finally {
        if (++writes % 100 === 0) await log.prune();
      }
    },
  };
}
