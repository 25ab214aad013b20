/**
 * `npm run eval -- [labels.tsv] [--json] [--out dir]`: moderates every labelled photo through the real
 * local workflow (the deployed state machine on the embedded engine, the real models and policy), or with
 * `--stack` / `--state-machine-arn` through a deployed stack, then reports false flags, false rejects
 * and recall, per category and per decision source, with the offending files; and the operating-point
 * sweep as a table, report.json, sweep.svg and report.html.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import type { ClassLabel, QualityMeasures } from '../functions/shared/contracts/index.js';
import { ConfigError, describeError, InvalidInput } from '../functions/shared/errors.js';
import { decide, type DecideInput } from '../functions/aggregate/decide.js';
import { policyFromEnv } from '../functions/aggregate/policy.js';
import { pool } from '../workflows/local/pool.js';
import type { CreateLocalWorkflow } from '../workflows/local/workflow.js';
import { reportHtml, sweepSvg } from './chart.js';
import { parseLabels, type LabelledImage } from './labels.js';
import { score, type EvalCase } from './score.js';
import type { EvalReport } from './report.js';
import { formatQuality, scoreQuality, sweepQuality, type QualityCase } from './quality-score.js';
import { formatSweep, sweep, type SweepCase } from './sweep.js';
import { relevanceIndex } from '../functions/shared/relevance/index-data.js';
import { scoreRelevance } from '../functions/shared/relevance/score.js';
import { summariseRelevance, type RelevanceCase } from './relevance.js';
import { createLocalTarget } from './local-target.js';
import { defaultStackBackends, openStackTarget, STACK_CONCURRENCY, type EvalStackBackends, type StackFlags } from './stack-flags.js';
import type { EvalTarget } from './target.js';

export const EVAL_USAGE = `Usage: npm run eval -- [labels.tsv] [options]

Moderates every photo listed in labels.tsv (columns: file, expected = approve | flag | either, category,
optional quality = ok | low; paths relative to the labels file) with the local workflow and reports false flags, false rejects and
recall, per category and per source, plus an operating-point sweep of every review threshold.
Optional columns post, relevant (yes | no) and style: each photo is moderated once and scored for
relevance to every post it is listed with; the report adds relevance AUC and pick@1 per post.
Default labels file: ../shared/images/labels.tsv. The policy is MODERATION_POLICY's, as in npm start.

Options:
  --json               one JSON object on stdout (the report), nothing else on stdout
  --out <dir>          where report.json, sweep.svg and report.html are written (default: .eval)
  --concurrency <n>    images in flight (default: ${availableParallelism()})
  --model <name>       classifier model from the catalog
  --mirror <dir>       offline model mirror
  --staging-dir <dir>  staging directory (default: .staging)
  --safety-engine <e>  local (default, or SAFETY_ENGINE) or rekognition: Amazon Rekognition with your AWS
                       credentials and region (AWS_REGION, a profile or keys), as a deployed stack uses it

A deployed stack instead of the local workflow (AWS credentials holding the stack's publisher policy;
one execution per photo, billed as any moderation; held photos reach your moderators' queue):
  --stack              the Pulumi stack's outputs (\`pulumi stack output --json\`): state machine, workflow
                       type, verdict table, ruleset, apiUrl
  --stack-name <name>  which Pulumi stack (default: the selected one)
  --state-machine-arn <arn>  without the Pulumi CLI: the stack's stateMachineArn output, with
  --workflow-type <t>  STANDARD (default) or EXPRESS, --table <verdictTableName> (needed on STANDARD),
  and --ruleset <ruleset>
  --base-url <url>     where you serve the labels file's directory over https: each photo is moderated
                       from <url>/<its path> (the stack's FetchImage cannot read files on this machine)
  (--concurrency defaults to ${STACK_CONCURRENCY} against a stack; --model, --mirror, --staging-dir and
  --safety-engine are the stack's own and refused with it)
  -h, --help           this help

Exit codes: 0 report written (whatever the numbers), 1 an image or the environment failed, 2 usage error.`;

export interface EvalIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const LOCAL_STEPS_MODULE = '../workflows/local/workflow.js';
const loadLocalWorkflow: CreateLocalWorkflow = async (options) =>
  ((await import(LOCAL_STEPS_MODULE)) as { createLocalWorkflow: CreateLocalWorkflow }).createLocalWorkflow(options);

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** The report's one-line name for what moderated the photos. */
export function targetName(t: EvalReport['target']): string {
  if (t.kind === 'local') return `the local workflow, safety engine ${t.safetyEngine}`;
  return `deployed ${t.workflowType} stack ${t.stack ?? t.stateMachineArn}${t.safetyEngine ? `, safety engine ${t.safetyEngine}` : ''}, photos staged by ${t.staging}`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatReport(r: EvalReport): string {
  const lines = [
    `${r.images} labelled photos (${r.labels}), ${r.timing.msPerImage} ms per image`,
    `moderated by: ${targetName(r.target)}`,
    `benign:    ${r.benign}; falsely flagged ${r.falseFlags} (${pct(r.falseFlagRate)}), falsely rejected ${r.falseRejects}`,
    `sensitive: ${r.sensitive}; caught ${r.caught} (recall ${pct(r.recall)})`,
    `either:    ${r.either.count}; flagged ${r.either.flagged}, rejected ${r.either.rejected}`,
    `by source: ${
      Object.entries(r.bySource)
        .filter(([, s]) => s.falseFlags || s.caught)
        .map(([k, s]) => `${k} ${s.falseFlags} false flags (${s.falseRejects} rejects), ${s.caught} caught`)
        .join('; ') || '-'
    }`,
    'by category:',
    ...Object.entries(r.byCategory).map(
      ([k, c]) =>
        `  ${k.padEnd(24)} sensitive ${c.sensitive}, caught ${c.caught} (${c.caughtInCategory} in category); false flags ${c.falseFlags} (${c.falseRejects} rejects)`,
    ),
  ];
  const list = (title: string, xs: { file: string; decision: string; why: string[] }[]) => {
    if (!xs.length) return;
    lines.push(`${title}:`);
    for (const o of xs) lines.push(`  ${o.file} → ${o.decision}: ${o.why.join(' ')}`);
  };
  list('FALSE REJECTS', r.offenders.falseRejects);
  list('false flags', r.offenders.falseFlags);
  list('missed', r.offenders.missed);
  if (r.relevance) {
    const f = (x?: number) => (x === undefined ? '-' : x.toFixed(3));
    lines.push(`relevance: ${r.relevance.posts} posts, ${r.relevance.rows} rows; AUC ${f(r.relevance.auc)}, pick@1 ${f(r.relevance.pickAt1)}`);
    for (const [style, v] of Object.entries(r.relevance.byStyle))
      lines.push(`  ${style.padEnd(12)} pick@1 ${f(v.pickAt1)} of ${v.posts} posts, AUC ${f(v.auc)}`);
  }
  for (const f of r.failures) lines.push(`FAILED ${f.file}: ${f.error.name}: ${f.error.message}`);
  lines.push('', 'operating points (one review threshold moved at a time; * = current policy):', formatSweep(r.sweep));
  if (r.sweepLeftOut) lines.push(`(${r.sweepLeftOut} of ${r.images} photos left out of the sweep: their decision input is not known exactly)`);
  lines.push('');
  lines.push(formatQuality(r.quality, r.qualitySweep), '');
  lines.push(`written: ${r.files.report}, ${r.files.svg}, ${r.files.html}`);
  return lines.join('\n');
}

/** The eval CLI as a function (tests run it in-process); returns the exit code. */
export async function main(
  argv: string[],
  io: EvalIo,
  createWorkflow: CreateLocalWorkflow = loadLocalWorkflow,
  stackBackends: EvalStackBackends = defaultStackBackends,
): Promise<number> {
  let images: LabelledImage[];
  let labelsPath: string;
  let opts: { json: boolean; out: string; concurrency: number; model?: string; mirror?: string; stagingDir: string; safetyEngine: 'local' | 'rekognition' };
  let stack: StackFlags | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        out: { type: 'string', default: '.eval' },
        concurrency: { type: 'string' },
        model: { type: 'string' },
        mirror: { type: 'string' },
        'staging-dir': { type: 'string' },
        'safety-engine': { type: 'string' },
        stack: { type: 'boolean', default: false },
        'stack-name': { type: 'string' },
        'state-machine-arn': { type: 'string' },
        'workflow-type': { type: 'string' },
        table: { type: 'string' },
        ruleset: { type: 'string' },
        'api-url': { type: 'string' },
        'base-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(`${EVAL_USAGE}\n`);
      return 0;
    }
    if (positionals.length > 1) throw new ConfigError('give one labels file');
    const deployed = values.stack || values['stack-name'] !== undefined || values['state-machine-arn'] !== undefined;
    if (deployed) {
      const local = (['model', 'mirror', 'staging-dir', 'safety-engine'] as const).find((k) => values[k] !== undefined);
      if (local) throw new ConfigError(`--${local} is the deployed stack's own setting (see pulumi config); drop it when evaluating a stack.`);
      stack = {
        stack: values.stack || values['stack-name'] !== undefined,
        stackName: values['stack-name'],
        stateMachineArn: values['state-machine-arn'],
        workflowType: values['workflow-type'],
        table: values.table,
        ruleset: values.ruleset,
        apiUrl: values['api-url'],
        baseUrl: values['base-url'],
      };
    } else {
      const stackOnly = (['workflow-type', 'table', 'ruleset', 'api-url', 'base-url'] as const).find((k) => values[k] !== undefined);
      if (stackOnly) throw new ConfigError(`--${stackOnly} is for a deployed stack: add --stack (or --state-machine-arn).`);
    }
    const safetyEngine = values['safety-engine'] ?? (io.env.SAFETY_ENGINE || 'local');
    if (safetyEngine !== 'local' && safetyEngine !== 'rekognition') throw new ConfigError(`--safety-engine must be local or rekognition, got ${safetyEngine}`);
    const concurrency = Number(values.concurrency ?? (deployed ? STACK_CONCURRENCY : availableParallelism()));
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new ConfigError('--concurrency must be a whole number from 1 to 64');
    labelsPath = path.resolve(positionals[0] ?? path.join(io.env.SHARED_DIR ?? '../shared', 'images/labels.tsv'));
    let text: string;
    try {
      text = await readFile(labelsPath, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `cannot read the labels file ${labelsPath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give its path: npm run eval -- my-labels.tsv`,
      );
    }
    images = parseLabels(text, labelsPath);
    // A typo in a path must not become a "FetchFailed → review" false flag in the numbers.
    for (const [i, img] of images.entries()) {
      if (!(await stat(img.path).catch(() => undefined))?.isFile())
        throw new InvalidInput(`${labelsPath}:${img.line ?? i + 2}: ${img.file} does not exist (${img.path}); paths are relative to the labels file.`);
    }
    opts = {
      json: values.json,
      out: path.resolve(values.out),
      concurrency,
      model: values.model,
      mirror: values.mirror,
      stagingDir: values['staging-dir'] ?? '.staging',
      safetyEngine,
    };
  } catch (err) {
    if (!(err instanceof ConfigError || err instanceof InvalidInput || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) throw err;
    io.stderr.write(`error: ${describeError(err).message}\n${(err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? `\n${EVAL_USAGE}\n` : ''}`);
    return 2;
  }

  const policy = policyFromEnv(io.env);
  let target: EvalTarget;
  try {
    await mkdir(opts.out, { recursive: true });
    target = stack
      ? await openStackTarget(stack, { labelsPath, policy, env: io.env }, stackBackends)
      : await createLocalTarget(
          { stagingDir: opts.stagingDir, mirror: opts.mirror, model: opts.model, safetyEngine: opts.safetyEngine, env: io.env },
          createWorkflow,
        );
  } catch (err) {
    const { name, message } = describeError(err);
    io.stderr.write(`error: ${name}: ${message}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
  if (target.target.kind === 'stack' && !target.policyMatches) {
    io.stderr.write(
      `note: ${target.target.ruleset ? `the stack's ruleset (${target.target.ruleset}) was decided with another policy than` : "without the stack's ruleset (--ruleset) eval cannot tell whether the stack uses"} MODERATION_POLICY here: the figures are the stack's verdicts, but no photo is re-decided (no sweep). Set MODERATION_POLICY to the stack's moderationPolicy to sweep.\n`,
    );
  }

  const bar =
    !opts.json && io.stderr.isTTY
      ? new SingleBar({ stream: io.stderr, format: 'evaluating [{bar}] {value}/{total} {eta_formatted} left', hideCursor: true })
      : undefined;
  // A file listed once per post is moderated once; relevance rows are scored from its labels afterwards.
  const photos = [...new Map(images.map((img) => [img.path, img])).values()];
  bar?.start(photos.length, 0);
  const cases: EvalCase[] = [];
  const sweepCases: SweepCase[] = [];
  const qualityCases: QualityCase[] = [];
  const inputs = new Map<string, DecideInput>();
  const measures = new Map<string, QualityMeasures>();
  // The verdict's labels are the classification AggregateVerdict used (merged over views): relevance scores them.
  const labelsOf = new Map<string, readonly ClassLabel[]>();
  const failures: EvalReport['failures'] = [];
  let done = 0;
  const started = performance.now();
  await pool(photos, opts.concurrency, async (img) => {
    try {
      const outcome = await target.moderate(img);
      // Re-decided only with the policy that decided it (always locally; a stack's when its ruleset says so).
      const input = target.policyMatches ? outcome.input : undefined;
      if (input) inputs.set(img.path, input);
      if (outcome.measures) measures.set(img.path, outcome.measures);
      labelsOf.set(img.path, outcome.verdict.labels);
      // The safety figures count safety holds only: a photo held just for its quality (or, for a post, as
      // off-topic) is not a false flag.
      const reasons = outcome.verdict.reasons.filter((r) => r.source !== 'quality' && r.source !== 'relevance');
      const withoutQuality = reasons.length < outcome.verdict.reasons.length;
      const decision = !withoutQuality
        ? outcome.verdict.decision
        : input
          ? decide(input, policy).decision
          : reasons.every((r) => r.code === 'clean')
            ? 'approve'
            : outcome.verdict.decision;
      cases.push({ ...img, decision, reasons });
      if (input) sweepCases.push({ ...img, input });
      if (outcome.measures) qualityCases.push({ ...img, measures: outcome.measures });
    } catch (err) {
      failures.push({ file: img.file, error: describeError(err) });
    }
    done++;
    bar?.increment();
    // Without a TTY (a stack run takes minutes), a line now and then says how far it got.
    if (!bar && !opts.json && target.target.kind === 'stack' && (done % 10 === 0 || done === photos.length))
      io.stderr.write(`evaluated ${done}/${photos.length} (${failures.length} failed)\n`);
  });
  bar?.stop();
  const wallMs = performance.now() - started;
  await target.close();
  const order = new Map(photos.map((x, i) => [x.file, i]));
  cases.sort((a, b) => order.get(a.file)! - order.get(b.file)!);
  sweepCases.sort((a, b) => order.get(a.file)! - order.get(b.file)!);
  qualityCases.sort((a, b) => order.get(a.file)! - order.get(b.file)!);

  let relevance: EvalReport['relevance'];
  const postRows = images.filter((img) => img.post !== undefined);
  if (postRows.length) {
    const index = relevanceIndex();
    const relevanceCases: RelevanceCase[] = postRows.flatMap((img) => {
      const labels = labelsOf.get(img.path);
      if (!labels) return []; // its moderation failed: listed under failures
      const { score } = scoreRelevance(labels, { title: img.post! }, index);
      return [{ file: img.file, post: img.post!, relevant: img.relevant!, score, ...(img.style ? { style: img.style } : {}) }];
    });
    relevance = { ...summariseRelevance(relevanceCases), cases: relevanceCases };
  }
  const summary = score(cases);
  const curves = sweep(sweepCases, policy);
  const files = { report: path.join(opts.out, 'report.json'), svg: path.join(opts.out, 'sweep.svg'), html: path.join(opts.out, 'report.html') };
  const report: EvalReport = {
    labels: labelsPath,
    target: target.target,
    sweepLeftOut: cases.length - sweepCases.length,
    ...summary,
    policy,
    models: target.models,
    failures,
    sweep: curves,
    quality: scoreQuality(qualityCases, policy.quality),
    qualitySweep: sweepQuality(qualityCases, policy.quality),
    cases: cases.map((c) => ({
      file: c.file,
      expected: c.expected,
      ...(c.category ? { category: c.category } : {}),
      decision: c.decision,
      ...(c.quality ? { quality: c.quality } : {}),
      input: inputs.get(c.path),
      qualityMeasures: measures.get(c.path),
    })),
    ...(relevance ? { relevance } : {}),
    timing: { wallMs: Math.round(wallMs), msPerImage: Number((wallMs / Math.max(1, photos.length)).toFixed(1)) },
    files,
  };
  await writeAtomic(files.report, `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomic(files.svg, sweepSvg(curves));
  await writeAtomic(files.html, reportHtml(summary, curves, `Moderation eval: ${path.basename(labelsPath)} (${targetName(target.target)})`));
  io.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
  if (failures.length) {
    io.stderr.write(`error: ${failures.length} of ${photos.length} images could not be processed (listed above).\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
}
