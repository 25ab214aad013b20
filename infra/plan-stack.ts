/** Builds the stack under mocks and returns its resource graph: shared by `npm run plan` and the tests. */
import * as pulumi from '@pulumi/pulumi';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../functions/shared/project.js';
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
  const { parseStackConfig } = await import('./config.js');
  const { createStack } = await import('./stack.js');
  const { plannedModelFiles } = await import('./model-files.js');
  const cfg = parseStackConfig(raw);
  const outputs = await createStack(cfg, { models: plannedModelFiles });
  const resolved = await new Promise<Record<string, unknown>>((resolve) => pulumi.output(outputs).apply((o) => resolve(o as Record<string, unknown>)));
  await pulumi.runtime.disconnect();
  const { policy: _policy, ...config } = cfg;
  return { config, outputs: resolved, resources: recorder.plan() };
}

/** The stack's YAML config, flat (key: value), without a YAML parser: our files hold scalars and simple maps (quoted either way: Prettier writes single quotes). */
export function readStackYaml(stack: string): Record<string, unknown> {
  const file = path.join(projectRoot, `Pulumi.${stack}.yaml`);
  const raw: Record<string, unknown> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^ {2}([\w-]+:[\w-]+):\s*(.+?)\s*$/.exec(line);
    if (m) raw[m[1].replace('blog-image-moderation:', '').replace('aws:region', 'region')] = m[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return raw;
}
