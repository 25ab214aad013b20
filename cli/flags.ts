/**
 * Command-line flags for every tool (npm start, review, serve, console): node's parseArgs in strict mode
 * and a zod schema, each failure a ConfigError that points at --help. Validated once here; everything
 * after works with the typed options.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { z } from 'zod';
import { ConfigError } from '../functions/shared/errors.js';

const SEE_HELP = 'Run with --help for the options.';

export function parseFlags<T extends ParseArgsOptionsConfig>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}. ${SEE_HELP}`);
  }
}

/** The schema's value, or one ConfigError naming every problem (`describe` may prefix an issue with its flag). */
export function checkFlags<S extends z.ZodType>(schema: S, raw: unknown, describe: (issue: z.core.$ZodIssue) => string = (i) => i.message): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${parsed.error.issues.map(describe).join('; ')}. ${SEE_HELP}`);
  return parsed.data;
}
