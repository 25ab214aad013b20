/** Builds the stack under mocks and returns its resource graph: shared by `npm run plan` and the tests. */
import * as pulumi from '@pulumi/pulumi';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../functions/shared/errors.js';
import { projectRoot } from '../../functions/shared/project.js';
import { setupMocks, type PlannedResource } from './mocks.js';

export interface StackPlan {
  config: Record<string, unknown>;
  outputs: Record<string, unknown>;
  resources: PlannedResource[];
}

/** `raw` is Pulumi-config-shaped (strings are fine); the stack name keeps URNs of separate plans apart. */
export async function planStack(raw: Record<string, unknown>, stack = 'dev'): Promise<StackPlan> {
  const { recorder } = await setupMocks(stack);
  // Imported after the mocks are set: resource modules must not see the real engine.
  const { parseStackConfig, stackServiceName } = await import('../config.js');
  const { createStack } = await import('../stack.js');
  const { plannedModelFiles } = await import('../model-files.js');
  const cfg = parseStackConfig({ serviceName: stackServiceName(stack), ...raw });
  const outputs = await createStack(cfg, { models: plannedModelFiles });
  const resolved = await new Promise<Record<string, unknown>>((resolve) => pulumi.output(outputs).apply((o) => resolve(o as Record<string, unknown>)));
  await pulumi.runtime.disconnect();
  const { moderationPolicy: _policy, ...config } = cfg;
  return { config, outputs: resolved, resources: recorder.plan() };
}

/**
 * The stack's config as Pulumi reads it from `Pulumi.<stack>.yaml`: the project's keys without their
 * `blog-image-moderation:` namespace, `aws:region` as `region`, structured values (moderationPolicy) as
 * objects. A real YAML parser: any quoting, block or flow maps, comments.
 */
export function readStackYaml(stack: string, file = path.join(projectRoot, `Pulumi.${stack}.yaml`)): Record<string, unknown> {
  const doc: unknown = parseYaml(readFileSync(file, 'utf8'));
  const config = (doc as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new ConfigError(`${file}: "config" must be a map of keys to values.`);
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) raw[key === 'aws:region' ? 'region' : key.replace(/^blog-image-moderation:/, '')] = value;
  return raw;
}
