/**
 * The container image's task root (/var/task), assembled without Docker: the Dockerfile's build stage runs
 * this (infra/build/build-task-root.ts) and test/infra/task-root.test.ts runs the very same function, then
 * invokes every handler from the result under Node 24.
 *
 * - the three handler bundles (infra/build/lambda-bundles.ts, the options every Lambda is built with);
 * - the native modules from functions/classify/runtime, installed for linux/<arch>/glibc whatever the
 *   build host is (npm's --os/--cpu/--libc pick sharp's @img/* packages; onnxruntime-node ships every
 *   platform in one package), so the image never runs a RUN step on the target architecture;
 * - onnxruntime-node's binaries for other platforms removed (about 240 MB of macOS and Windows files);
 * - a check that every file the handlers load at run time is there and built for the target machine.
 * No Pulumi import, no shell: the build stage has node and npm only.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../functions/shared/project.js';
import { buildImageBundles, IMAGE_ENTRIES } from './lambda-bundles.js';

export type ImageArch = 'x64' | 'arm64';

/** Lambda's and Docker's names for an architecture → Node's. */
export function imageArch(name: string): ImageArch {
  const arch = ({ x86_64: 'x64', amd64: 'x64', x64: 'x64', arm64: 'arm64', aarch64: 'arm64' } as Record<string, ImageArch>)[name];
  if (!arch) throw new Error(`Unknown architecture ${JSON.stringify(name)}: use x86_64/amd64/x64 or arm64/aarch64.`);
  return arch;
}

export const RUNTIME_PACKAGE_DIR = path.join(projectRoot, 'functions/classify/runtime');
const ORT_BIN = 'node_modules/onnxruntime-node/bin/napi-v6';

/**
 * Every native file the handlers load at run time, relative to the task root: onnxruntime's binding and
 * library, sharp's binding and libvips (file names carry versions, so those two are matched by pattern).
 */
export const NATIVE_FILES = (arch: ImageArch): Array<{ dir: string; pattern: RegExp }> => [
  { dir: `${ORT_BIN}/linux/${arch}`, pattern: /^onnxruntime_binding\.node$/ },
  { dir: `${ORT_BIN}/linux/${arch}`, pattern: /^libonnxruntime\.so\.1$/ },
  { dir: `node_modules/@img/sharp-linux-${arch}/lib`, pattern: new RegExp(`^sharp-linux-${arch}-[\\d.]+\\.node$`) },
  { dir: `node_modules/@img/sharp-libvips-linux-${arch}/lib`, pattern: /^libvips-cpp\.so\.[\d.]+$/ },
];

export interface TaskRootOptions {
  outDir: string;
  arch: ImageArch;
  /** The Node major of the Lambda runtime the bundles target (the image's base). */
  nodeMajor: number;
}

export interface TaskRoot {
  dir: string;
  arch: ImageArch;
  bundles: Record<(typeof IMAGE_ENTRIES)[number], string>;
  /** Bytes of node_modules as `npm ci --omit=dev` leaves it, and after removing other platforms' files. */
  nodeModulesBytes: { installed: number; lean: number };
  /** Bytes of the whole task root as shipped. */
  bytes: number;
}

export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** ELF e_machine of a native file: what it was built for. */
const ELF_MACHINE: Record<ImageArch, number> = { x64: 0x3e, arm64: 0xb7 };

async function elfMachine(file: string): Promise<number | undefined> {
  const fh = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(20), 0, 20, 0);
    if (bytesRead < 20 || buffer.readUInt32BE(0) !== 0x7f454c46) return undefined;
    return buffer.readUInt16LE(18);
  } finally {
    await fh.close();
  }
}

/** Throws, naming every problem, unless each bundle and native file is present and built for `arch`. */
export async function verifyTaskRoot(dir: string, arch: ImageArch): Promise<void> {
  const problems: string[] = [];
  for (const entry of IMAGE_ENTRIES) {
    if (!(await stat(path.join(dir, `${entry}.mjs`)).catch(() => undefined))?.isFile()) problems.push(`${entry}.mjs is missing`);
  }
  for (const { dir: rel, pattern } of NATIVE_FILES(arch)) {
    const name = (await readdir(path.join(dir, rel)).catch(() => [] as string[])).find((f) => pattern.test(f));
    if (!name) {
      problems.push(`${rel}/${pattern.source} is missing`);
      continue;
    }
    const machine = await elfMachine(path.join(dir, rel, name));
    if (machine !== ELF_MACHINE[arch]) problems.push(`${rel}/${name} is not a linux/${arch} ELF file (e_machine ${machine})`);
  }
  if (problems.length) throw new Error(`The task root ${dir} is incomplete: ${problems.join('; ')}.`);
}

/** Removes onnxruntime-node's binaries for every platform but linux/<arch>. */
async function pruneOtherPlatforms(nodeModulesParent: string, arch: ImageArch): Promise<void> {
  const bin = path.join(nodeModulesParent, ORT_BIN);
  for (const os of await readdir(bin)) {
    if (os !== 'linux') {
      await rm(path.join(bin, os), { recursive: true, force: true });
      continue;
    }
    for (const cpu of await readdir(path.join(bin, os))) if (cpu !== arch) await rm(path.join(bin, os, cpu), { recursive: true, force: true });
  }
}

export async function buildTaskRoot(opts: TaskRootOptions): Promise<TaskRoot> {
  const dir = path.resolve(opts.outDir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const bundles = await buildImageBundles(dir, { nodeMajor: opts.nodeMajor });

  // Installed beside, then moved in: npm writes nothing but node_modules into the task root.
  const work = await mkdtemp(path.join(tmpdir(), 'task-root-npm-'));
  try {
    for (const f of ['package.json', 'package-lock.json']) await cp(path.join(RUNTIME_PACKAGE_DIR, f), path.join(work, f));
    // --ignore-scripts: onnxruntime-node's install script only fetches GPU files; sharp needs none.
    await promisify(execFile)('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--os=linux', `--cpu=${opts.arch}`, '--libc=glibc'], {
      cwd: work,
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const installed = await dirBytes(path.join(work, 'node_modules'));
    await pruneOtherPlatforms(work, opts.arch);
    const lean = await dirBytes(path.join(work, 'node_modules'));
    await cp(path.join(work, 'node_modules'), path.join(dir, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    await verifyTaskRoot(dir, opts.arch);
    return { dir, arch: opts.arch, bundles, nodeModulesBytes: { installed, lean }, bytes: await dirBytes(dir) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
