/** Environment parsing shared by every step's config: one zod schema, one ConfigError naming the variables. */
import type { z } from 'zod';
import { ConfigError } from './errors.js';

export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, what: string): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid ${what} settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`, {
      variables: parsed.error.issues.map((i) => i.path.join('.')),
    });
  }
  return parsed.data;
}
