/**
 * `npm run plan [-- --json] [--config key=value ...]`: the resource graph `pulumi up` would create, built
 * under Pulumi's mocks (no CLI, no cloud, no model download): type, name, key inputs and dependencies of
 * every resource. The reviewable stand-in for `pulumi preview` on machines without the Pulumi CLI.
 */
import { parseArgs } from 'node:util';
import { planStack, readStackYaml } from './plan-stack.js';

const { values } = parseArgs({
  options: { json: { type: 'boolean', default: false }, config: { type: 'string', multiple: true, default: [] }, stack: { type: 'string', default: 'dev' } },
});

const raw = readStackYaml(values.stack);
for (const kv of values.config) {
  const [k, ...v] = kv.split('=');
  raw[k] = v.join('=');
}
const { config, outputs: resolvedOutputs, resources } = await planStack(raw, values.stack);
// On stderr so `--json` stays one parseable object; the JSON carries it too.
const warnings = typeof config.runtimeWarning === 'string' ? [config.runtimeWarning] : [];
for (const w of warnings) console.error(`warning: ${w}`);

const summary = Object.entries(resources.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.type]: (acc[r.type] ?? 0) + 1 }), {})).sort();
if (values.json) {
  console.log(JSON.stringify({ stack: values.stack, warnings, config, outputs: resolvedOutputs, resources }, null, 2));
} else {
  console.log(`Stack ${values.stack}: ${resources.length} resources (under mocks; \`pulumi preview\` shows the real diff)\n`);
  for (const [type, n] of summary) console.log(`  ${String(n).padStart(3)}  ${type}`);
  console.log('\nOutputs:', JSON.stringify(resolvedOutputs, null, 2));
}
