/**
 * TEST DOUBLE OF AWS: a loopback stand-in for AWS Step Functions, reached by the real @aws-sdk/client-sfn
 * through `endpoint` (AWS JSON 1.0 protocol, as the SDK speaks it). It serves StartExecution,
 * DescribeExecution and StartSyncExecution and enforces their documented contract with Step Functions'
 * own error names and shapes: an ARN of this account and region (InvalidArn), a state machine that exists
 * (StateMachineDoesNotExist), an execution name of 1 to 80 characters without white space, brackets,
 * wildcards, the listed special characters or control characters (InvalidName), an input of valid JSON
 * (InvalidExecutionInput) of at most 262,144 UTF-8 bytes (ValidationException), a name reused while the
 * first execution runs with the same input answered idempotently and otherwise ExecutionAlreadyExists,
 * StartSyncExecution on EXPRESS only (StateMachineTypeNotSupported), DescribeExecution on STANDARD only.
 *
 * Behind it runs the REAL local workflow (workflows/local/: the deployed definition on the embedded
 * engine, the real handlers and models), so an execution's output is a real verdict on the real photo.
 * `waitForReview` reproduces a STANDARD stack's RequestReview: an execution the policy held stays
 * RUNNING (it waits on its task token for a person), its review recorded in the verdict store.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ModerationInput, Verdict } from '../../functions/shared/contracts/index.js';
import type { LocalWorkflow } from '../../workflows/local/workflow.js';

export const STAND_IN_REGION = 'us-east-1';
export const STAND_IN_ACCOUNT = '123456789012';
/** Step Functions' documented cap on an execution's input, in UTF-8 bytes. */
export const MAX_INPUT_BYTES = 262_144;
/** What a name must not contain (StartExecution's `name`): white space, brackets, wildcards, specials, controls. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what the contract forbids
const FORBIDDEN_IN_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;
const ERROR_NAMESPACE = 'com.amazonaws.swf.service.v2.model#';

export interface StandInExecution {
  executionArn: string;
  name: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** Settles when the local run has ended (whatever the status the stand-in then reports). */
  done: Promise<void>;
}

export interface StandInCall {
  target: string;
  /** The error answered, if any (its Step Functions name). */
  error?: string;
}

export interface StepFunctionsStandIn {
  /** http://127.0.0.1:<port>: the `endpoint` for SFNClient. */
  endpoint: string;
  stateMachineArn: string;
  type: 'STANDARD' | 'EXPRESS';
  executions: Map<string, StandInExecution>;
  calls: StandInCall[];
  close(): Promise<void>;
}

export interface StandInOptions {
  type?: 'STANDARD' | 'EXPRESS';
  name?: string;
  /** STANDARD: an execution whose verdict is held for review stays RUNNING, as RequestReview waits for a person. */
  waitForReview?: boolean;
}

class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const ARN = /^arn:aws:states:([a-z0-9-]+):(\d{12}):(stateMachine|execution|express):([^:]+)(?::([^:]+))?$/;

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length < 1 || name.length > 80 || FORBIDDEN_IN_NAME.test(name))
    throw new SfnError('InvalidName', `Invalid Name: '${String(name)}'`);
  return name;
}

function checkInput(input: unknown): string {
  const text = input === undefined ? '{}' : input;
  if (typeof text !== 'string') throw new SfnError('SerializationException', 'input must be a string');
  if (Buffer.byteLength(text, 'utf8') > MAX_INPUT_BYTES)
    throw new SfnError(
      'ValidationException',
      `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${MAX_INPUT_BYTES}`,
    );
  try {
    JSON.parse(text);
  } catch (err) {
    throw new SfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(err as Error).message}'`);
  }
  return text;
}

export async function startStepFunctionsStandIn(workflow: Pick<LocalWorkflow, 'run'>, opts: StandInOptions = {}): Promise<StepFunctionsStandIn> {
  const type = opts.type ?? 'STANDARD';
  const stateMachineArn = `arn:aws:states:${STAND_IN_REGION}:${STAND_IN_ACCOUNT}:stateMachine:${opts.name ?? 'moderation-stand-in'}`;
  const executions = new Map<string, StandInExecution>();
  const calls: StandInCall[] = [];

  const checkStateMachine = (arn: unknown) => {
    const m = typeof arn === 'string' ? ARN.exec(arn) : null;
    if (!m || m[3] !== 'stateMachine' || m[5] !== undefined)
      throw new SfnError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${String(arn)}'`);
    if (arn !== stateMachineArn) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
  };

  /** Runs the real local workflow on the input; the execution's status and output follow its end. */
  const runExecution = (executionArn: string, name: string, input: string): StandInExecution => {
    const execution: StandInExecution = { executionArn, name, input, status: 'RUNNING', startDate: Date.now() / 1000, done: Promise.resolve() };
    execution.done = workflow.run(JSON.parse(input) as ModerationInput).then(
      (run) => {
        const verdict: Verdict = run.verdict;
        // A STANDARD stack's RequestReview waits on its task token: the execution does not end until a person decides.
        if (opts.waitForReview && verdict.decision === 'review' && verdict.reviewId) return;
        Object.assign(execution, { status: 'SUCCEEDED', output: JSON.stringify(verdict), stopDate: Date.now() / 1000 });
      },
      (err: unknown) => {
        const e = err as { error?: string; detail?: string; message?: string };
        Object.assign(execution, { status: 'FAILED', error: e.error ?? 'States.Runtime', cause: e.detail ?? e.message, stopDate: Date.now() / 1000 });
      },
    );
    return execution;
  };

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    async StartExecution(body) {
      checkStateMachine(body.stateMachineArn);
      const name = checkName(body.name ?? crypto.randomUUID());
      const input = checkInput(body.input);
      const executionArn = `${stateMachineArn.replace(':stateMachine:', type === 'EXPRESS' ? ':express:' : ':execution:')}:${name}`;
      const existing = executions.get(executionArn);
      if (existing) {
        // Idempotent only while the first runs with the same input; a closed execution's name stays taken.
        if (existing.status === 'RUNNING' && existing.input === input) return { executionArn, startDate: existing.startDate };
        throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }
      const execution = runExecution(executionArn, name, input);
      executions.set(executionArn, execution);
      return { executionArn, startDate: execution.startDate };
    },
    async DescribeExecution(body) {
      const arn = body.executionArn;
      const m = typeof arn === 'string' ? ARN.exec(arn) : null;
      if (!m || m[5] === undefined || m[3] === 'stateMachine')
        throw new SfnError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${String(arn)}'`);
      if (m[3] === 'express') throw new SfnError('InvalidArn', `Invalid Arn: 'Express executions cannot be described: ${String(arn)}'`);
      const e = executions.get(arn as string);
      if (!e) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
      return {
        executionArn: e.executionArn,
        stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate,
        input: e.input,
        inputDetails: { included: true },
        ...(e.stopDate !== undefined ? { stopDate: e.stopDate } : {}),
        ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
        ...(e.error !== undefined ? { error: e.error, cause: e.cause } : {}),
      };
    },
    async StartSyncExecution(body) {
      checkStateMachine(body.stateMachineArn);
      if (type !== 'EXPRESS') throw new SfnError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
      const name = checkName(body.name ?? crypto.randomUUID());
      const input = checkInput(body.input);
      const executionArn = `${stateMachineArn.replace(':stateMachine:', ':express:')}:${name}:${crypto.randomUUID()}`;
      const e = runExecution(executionArn, name, input);
      await e.done;
      return {
        executionArn,
        stateMachineArn,
        name,
        startDate: e.startDate,
        stopDate: e.stopDate,
        status: e.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
        input,
        ...(e.output !== undefined ? { output: e.output } : {}),
        ...(e.error !== undefined ? { error: e.error, cause: e.cause } : {}),
      };
    },
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const answer = (status: number, body: unknown, errorType?: string) => {
        calls.push({ target, ...(errorType ? { error: errorType } : {}) });
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
        res.end(JSON.stringify(body));
      };
      void (async () => {
        if (req.method !== 'POST' || !String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.0'))
          throw new SfnError('UnknownOperationException', 'Step Functions takes POST with Content-Type application/x-amz-json-1.0.');
        if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/states\/aws4_request/.test(String(req.headers.authorization ?? '')))
          throw new SfnError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
        const op = target.startsWith('AWSStepFunctions.') ? operations[target.slice('AWSStepFunctions.'.length)] : undefined;
        if (!op)
          throw new SfnError('UnknownOperationException', `The stand-in serves StartExecution, DescribeExecution and StartSyncExecution, not ${target}.`);
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          throw new SfnError('SerializationException', 'The request body is not JSON.');
        }
        answer(200, await op(body));
      })().catch((err: unknown) => {
        if (err instanceof SfnError) answer(err.status, { __type: `${ERROR_NAMESPACE}${err.type}`, message: err.message }, err.type);
        else answer(500, { __type: `${ERROR_NAMESPACE}InternalError`, message: (err as Error).message }, 'InternalError');
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stateMachineArn,
    type,
    executions,
    calls,
    close: async () => {
      await Promise.allSettled([...executions.values()].map((e) => e.done));
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
