/**
 * Where the console's executions come from: the CLI's recorded local runs (every state's input, output,
 * error, retries, timing), or, for a deployed stack, Step Functions' own list with a link to each
 * execution in the AWS console (which keeps the full history there).
 */
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { InvalidInput } from '../../functions/shared/errors.js';
import { notAStateMachineArn, parseStateMachineArn } from '../../cli/stack.js';
import type { ExecutionLog } from '../../workflows/local/execution-log.js';
import type { ExecutionRecord } from '../../workflows/local/execution-record.js';
import type { ExecutionListItem } from './api.js';

export interface ExecutionSource {
  readonly kind: 'local' | 'deployed';
  list(limit: number): Promise<ExecutionListItem[]>;
  /** The recorded run; undefined for unknown ids (and always for deployed executions: see consoleUrl). */
  get(id: string): Promise<ExecutionRecord | undefined>;
}

export function localExecutions(log: ExecutionLog): ExecutionSource {
  return { kind: 'local', list: (limit) => log.list(limit), get: (id) => log.get(id) };
}

/** The Step Functions console's page for one execution (the v2 console; the ARN names the region). */
export function awsConsoleUrl(executionArn: string): string {
  const region = executionArn.split(':')[3] ?? '';
  const partition = executionArn.split(':')[1] ?? 'aws';
  const host =
    partition === 'aws-cn'
      ? `${region}.console.amazonaws.cn`
      : partition === 'aws-us-gov'
        ? `console.amazonaws-us-gov.com`
        : `${region}.console.aws.amazon.com`;
  return `https://${host}/states/home?region=${encodeURIComponent(region)}#/v2/executions/details/${encodeURIComponent(executionArn)}`;
}

export function deployedExecutions(stateMachineArn: string, client?: SFNClient): ExecutionSource {
  const arn = parseStateMachineArn(stateMachineArn);
  if (!arn) throw new InvalidInput(notAStateMachineArn(stateMachineArn));
  const sfn = client ?? new SFNClient({ region: arn.region });
  return {
    kind: 'deployed',
    async list(limit) {
      const out = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: Math.min(limit, 1000) }));
      return (out.executions ?? []).map((e) => ({
        id: e.name ?? e.executionArn ?? '',
        startedAt: (e.startDate ?? new Date(0)).toISOString(),
        status: e.status ?? 'UNKNOWN',
        totalMs: e.stopDate && e.startDate ? e.stopDate.getTime() - e.startDate.getTime() : undefined,
        consoleUrl: e.executionArn ? awsConsoleUrl(e.executionArn) : undefined,
      }));
    },
    async get() {
      return undefined;
    },
  };
}
