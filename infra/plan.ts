/**
 * `npm run plan [-- --json] [--config key=value ...]`: the resource graph `pulumi up` would create, built
 * under Pulumi's mocks (no CLI, no cloud, no model download): type, name, key inputs and dependencies of
 * every resource. The reviewable stand-in for `pulumi preview` on machines without the Pulumi CLI.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as pulumi from '@pulumi/pulumi';
import { projectRoot } from './bundle.js';
import { setupMocks } from './mocks.js';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, config: { type: 'string', multiple: true, default: [] }, stack: { type: 'string', default: 'dev' } } });

/** The stack's YAML config, flat (key: value), without a YAML parser: our files hold scalars and simple maps. */
function stackConfig(stack: string): Record<string, unknown> {
  const file = path.join(projectRoot, `Pulumi.${stack}.yaml`);
  const raw: Record<string, unknown> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^  ([\w-]+:[\w-]+):\s*(.+?)\s*$/.exec(line);
    if (m) raw[m[1]!.replace('blog-image-moderation:', '').replace('aws:region', 'region')] = m[2]!.replace(/^"|"$/g, '');
  }
  return raw;
}

const { recorder } = await setupMocks(values.stack);
const { parseStackConfig } = await import('./config.js');
const { createStack } = await import('./stack.js');
const { plannedModelFiles } = await import('./model-files.js');

const raw = stackConfig(values.stack!);
for (const kv of values.config!) {
  const [k, ...v] = kv.split('=');
  raw[k!] = v.join('=');
}
const cfg = parseStackConfig(raw);
const outputs = await createStack(cfg, { models: plannedModelFiles });
const resolvedOutputs = await new Promise<unknown>((resolve) => pulumi.output(outputs).apply(resolve));
await pulumi.runtime.disconnect();
const resources = recorder.plan();

const summary = Object.entries(resources.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.type]: (acc[r.type] ?? 0) + 1 }), {})).sort();
if (values.json) {
  console.log(JSON.stringify({ stack: values.stack, config: { ...cfg, policy: undefined }, outputs: resolvedOutputs, resources }, null, 2));
} else {
  console.log(`Stack ${values.stack}: ${resources.length} resources (under mocks; \`pulumi preview\` shows the real diff)\n`);
  for (const [type, n] of summary) console.log(`  ${String(n).padStart(3)}  ${type}`);
  console.log('\nOutputs:', JSON.stringify(resolvedOutputs, null, 2));
}
