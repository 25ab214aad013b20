/**
 * `npm start -- <image path | URL | directory>...`: moderates images on this machine with the very
 * state machine the Pulumi program deploys, run by the embedded engine.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SingleBar } from 'cli-progress';
import { ConfigError, describeError } from '../functions/shared/errors.js';
import { parseCliArgs, resolveInputs, USAGE, type CliOptions } from './args.js';
import { ExecutionLog, recording } from '../workflows/local/execution-log.js';
import type { CreateLocalWorkflow, LocalWorkflow } from '../workflows/local/workflow.js';
import { pool } from '../workflows/local/pool.js';
import { createRemoteWorkflow } from './remote.js';
import { printable } from '../functions/shared/printable.js';
import { failureRecord, formatRanking, formatSummary, formatText, rankRecord, toJsonRecord, type ImageFailure, type ImageResult } from './report.js';
import { relevanceIndex } from '../functions/shared/relevance/index-data.js';
import { rankCandidates } from '../functions/shared/relevance/rank.js';

/** More images than this get a progress bar (on a TTY) and always a summary table. */
const PROGRESS_THRESHOLD = 4;

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** What runs one image: the local engine, or the deployed state machine through the client. */
type Runner = Pick<LocalWorkflow, 'run'> & { close?: () => Promise<void> };

async function moderateAll(workflow: Runner, inputs: string[], opts: CliOptions, io: CliIo) {
  const showBar = inputs.length > PROGRESS_THRESHOLD && !opts.json && Boolean(io.stderr.isTTY);
  const bar = showBar ? new SingleBar({ stream: io.stderr, format: 'moderating [{bar}] {value}/{total} {eta_formatted} left', hideCursor: true }) : undefined;
  bar?.start(inputs.length, 0);
  // Ranking prints the ranking instead of each verdict.
  const printEach = !opts.rank && (opts.json || inputs.length <= PROGRESS_THRESHOLD);
  const results: ImageResult[] = [];
  const failures: ImageFailure[] = [];
  const started = performance.now();
  await pool(inputs, opts.concurrency, async (input) => {
    try {
      const execution = await workflow.run({
        imageUrl: input,
        ...(opts.reModerate ? { reModerate: true } : {}),
        ...(opts.post ? { post: opts.post } : {}),
      });
      const r = { input, execution };
      results.push(r);
      if (opts.json && !opts.rank) io.stdout.write(`${JSON.stringify(toJsonRecord(r))}\n`);
      else if (printEach) io.stdout.write(`${formatText(r)}\n\n`);
    } catch (err) {
      // The state machine turns every step failure into a verdict; reaching here is an engine or adapter fault.
      const f = { input, error: describeError(err) };
      failures.push(f);
      if (opts.json) io.stdout.write(`${JSON.stringify(failureRecord(f))}\n`);
      else io.stderr.write(`${printable(input)}: ${f.error.name}: ${printable(f.error.message)}\n`);
    }
    bar?.increment();
  });
  bar?.stop();
  const order = new Map(inputs.map((x, i) => [x, i]));
  results.sort((a, b) => order.get(a.input)! - order.get(b.input)!);
  return { results, failures, wallMs: performance.now() - started };
}

/**
 * The real wiring (handlers, model runtime, sharp), loaded only once flags are valid: --help and usage
 * errors answer at once, without loading onnxruntime.
 */
const LOCAL_STEPS_MODULE = '../workflows/local/workflow.js';
const loadLocalWorkflow: CreateLocalWorkflow = async (options) => {
  const mod = (await import(LOCAL_STEPS_MODULE)) as { createLocalWorkflow: CreateLocalWorkflow };
  return mod.createLocalWorkflow(options);
};

/** The whole CLI as a function, so tests run it in-process; returns the exit code. */
export async function main(
  argv: string[],
  io: CliIo,
  createWorkflow: CreateLocalWorkflow = loadLocalWorkflow,
  createRemote: typeof createRemoteWorkflow = createRemoteWorkflow,
): Promise<number> {
  let opts: CliOptions;
  let inputs: string[];
  try {
    const parsed = parseCliArgs(argv, io.env);
    if (parsed.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    opts = parsed.options;
    if (opts.stateMachineArn) {
      const local = opts.inputs.filter((i) => !/^(https?|s3):\/\//i.test(i));
      if (local.length) {
        throw new ConfigError(
          `--state-machine-arn moderates what the deployed FetchImage can reach (https:// or s3:// URLs); ${local[0]} is local. Drop the flag to moderate local files here.`,
        );
      }
      inputs = opts.inputs;
    } else {
      inputs = await resolveInputs(opts.inputs);
    }
  } catch (err) {
    io.stderr.write(`error: ${printable(describeError(err).message)}\n`);
    return 2;
  }

  let workflow: Runner;
  try {
    // One workflow per process: the classifier's model session is created here, once, not per image.
    if (opts.stateMachineArn) {
      workflow = createRemote({ stateMachineArn: opts.stateMachineArn, type: opts.workflowType });
    } else {
      // An unwritable record directory fails here, before any image, not once per image.
      const log = opts.record ? await new ExecutionLog(opts.dataDir).open() : undefined;
      const local = await createWorkflow({
        stagingDir: opts.stagingDir,
        dataDir: opts.dataDir,
        mirror: opts.mirror,
        model: opts.model,
        safetyEngine: opts.safetyEngine,
        env: io.env,
        ...(opts.verbose ? { logTo: io.stderr } : {}),
      });
      workflow = log ? recording(local, log) : local;
    }
  } catch (err) {
    const { name, message } = describeError(err);
    io.stderr.write(`error: ${name === 'Error' ? '' : `${name}: `}${printable(message)}\n`);
    return 1;
  }

  const { results, failures, wallMs } = await moderateAll(workflow, inputs, opts, io).finally(() => workflow.close?.());
  if (opts.rank && opts.post) {
    const ranked = rankCandidates(
      opts.post,
      results.map((r) => ({ id: r.input, verdict: r.execution.verdict })),
      relevanceIndex(),
    );
    io.stdout.write(opts.json ? `${JSON.stringify({ post: opts.post, ranking: ranked.map(rankRecord) })}\n` : `${formatRanking(opts.post, ranked)}\n`);
  } else if (!opts.json && inputs.length > 1) io.stdout.write(`${formatSummary(results, failures, wallMs)}\n`);
  if (failures.length) {
    io.stderr.write(`error: ${failures.length} of ${inputs.length} images could not be processed (see above).\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
}
