/**
 * What the tools learn about a deployed stack: its outputs (index.ts exports them; read with the Pulumi
 * CLI) and the parts of its state machine ARN (the region every client of the stack talks to). The
 * publisher's client, `npm run review` and the console all parse the ARN here.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ConfigError } from '../functions/shared/errors.js';

/** arn:<partition>:states:<region>:<account>:stateMachine:<name>, as Step Functions issues them. */
export const STATE_MACHINE_ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;

export interface StateMachineArn {
  partition: string;
  region: string;
  account: string;
  name: string;
}

/** The ARN's parts, or undefined when it is not a state machine ARN. */
export function parseStateMachineArn(arn: string): StateMachineArn | undefined {
  const m = STATE_MACHINE_ARN.exec(arn);
  return m ? { partition: m[1], region: m[2], account: m[3], name: m[4] } : undefined;
}

/** The message every tool gives for an ARN that is not a state machine's. */
export function notAStateMachineArn(arn: string): string {
  return `${arn} is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>). Use the stack's stateMachineArn output.`;
}

/** Reads a Pulumi stack's outputs (default: the selected stack). */
export type StackOutputs = (stack: string | undefined) => Promise<Record<string, unknown>>;

/**
 * `pulumi stack output --json` (secrets stay hidden). `instead` says what the caller's user can pass
 * rather than a stack when the Pulumi CLI is missing or not logged in.
 */
export async function pulumiStackOutputs(stack: string | undefined, instead: string): Promise<Record<string, unknown>> {
  try {
    const { stdout } = await promisify(execFile)('pulumi', ['stack', 'output', '--json', '--show-secrets=false', ...(stack ? ['--stack', stack] : [])], {
      timeout: 60_000,
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(
      `Could not read the outputs of Pulumi stack ${stack ?? '(the selected one)'} with \`pulumi stack output --json\` (${(err as Error).message.split('\n')[0]}). Install and log in to the Pulumi CLI and select the stack, or ${instead}.`,
    );
  }
}
