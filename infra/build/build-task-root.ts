/**
 * The Dockerfile's build stage, and the same thing by hand:
 *   npx tsx infra/build/build-task-root.ts <outDir> [--arch x86_64|arm64|amd64] [--node-major 24]
 * Prints one JSON line: the task root's directory, architecture and sizes (infra/build/task-root.ts).
 */
import { parseArgs } from 'node:util';
import { defaultRuntime } from './runtime.js';
import { buildTaskRoot, imageArch } from './task-root.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { arch: { type: 'string', default: process.arch }, 'node-major': { type: 'string', default: String(defaultRuntime().nodeMajor) } },
});
if (positionals.length !== 1) {
  console.error('usage: tsx infra/build/build-task-root.ts <outDir> [--arch x86_64|arm64] [--node-major 24]');
  process.exit(2);
}
const root = await buildTaskRoot({ outDir: positionals[0], arch: imageArch(values.arch), nodeMajor: Number(values['node-major']) });
console.log(JSON.stringify({ dir: root.dir, arch: root.arch, nodeModulesBytes: root.nodeModulesBytes, bytes: root.bytes }));
