/**
 * What functions/classify/Dockerfile declares, read with a real Dockerfile parser (dockerfile-ast, the
 * parser behind dockerfile-utils' linter): the build's COPY sources (the image's content hash), the
 * final stage's ENV defaults and CMD, and every RUN command. The task-root test runs the handlers with
 * exactly this ENV and CMD, so the Dockerfile stays the one place they are written.
 */
import { DockerfileParser } from 'dockerfile-ast';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../functions/shared/project.js';

export const DOCKERFILE = path.join(projectRoot, 'functions/classify/Dockerfile');

export interface ImageSpec {
  /** The default of `ARG NODE_MAJOR` (the base image's tag). */
  nodeMajorDefault: number;
  /** Every FROM image, as written (`public.ecr.aws/lambda/nodejs:${NODE_MAJOR}`). */
  baseImages: string[];
  /** The final stage's ENV. */
  env: Record<string, string>;
  /** The final stage's CMD (the Lambda handler string). */
  cmd: string[];
  /** Every RUN instruction's shell command. */
  runCommands: string[];
  /** Repository paths that COPY takes from the build context. */
  copySources: string[];
}

export function readImageSpec(file = DOCKERFILE): ImageSpec {
  const dockerfile = DockerfileParser.parse(readFileSync(file, 'utf8'));
  const stages = dockerfile.getFROMs();
  const finalStageLine = stages.at(-1)?.getRange().start.line ?? 0;
  const inFinal = (i: { getRange(): { start: { line: number } } }) => i.getRange().start.line > finalStageLine;
  const firstStageLine = stages[0]?.getRange().start.line ?? 0;
  // A global ARG (before the first FROM) is what FROM lines see.
  const nodeMajor = dockerfile
    .getARGs()
    .filter((a) => a.getRange().start.line < firstStageLine)
    .map((a) => a.getArgumentsContent() ?? '')
    .find((a) => a.startsWith('NODE_MAJOR='));
  const env: Record<string, string> = {};
  for (const e of dockerfile.getENVs().filter(inFinal)) for (const p of e.getProperties()) env[p.getName()] = p.getValue() ?? '';
  const cmd = dockerfile.getCMDs().filter(inFinal).at(-1);
  return {
    nodeMajorDefault: Number(nodeMajor?.split('=')[1]),
    baseImages: stages.map((f) => f.getImage() ?? ''),
    env,
    cmd: cmd ? (JSON.parse(cmd.getArgumentsContent() ?? '[]') as string[]) : [],
    runCommands: dockerfile.getInstructions().flatMap((i) => (i.getKeyword() === 'RUN' ? [i.getArgumentsContent() ?? ''] : [])),
    copySources: dockerfile.getCOPYs().flatMap((c) =>
      c.getFromFlag()
        ? []
        : c
            .getArguments()
            .slice(0, -1)
            .map((a) => a.getValue()),
    ),
  };
}
