/**
 * Imported first by every local entry point (CLI, benchmark, test setup). The local stores use
 * node:sqlite (Node >= 22.5) and the embedded engine calls Promise.withResolvers (Node >= 22), so an
 * older Node would fail later with an obscure error; here it fails at start-up with what to do instead.
 * `npm ci` installs Node 24 (what Lambda runs) into node_modules/.bin on Linux, and npm scripts put that
 * directory first on PATH, so `npm start` and `npm test` use it whatever Node ran npm.
 */
export const MIN_LOCAL_NODE = [22, 5] as const;

export function isSupportedNode(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_LOCAL_NODE[0] || (major === MIN_LOCAL_NODE[0] && minor >= MIN_LOCAL_NODE[1]);
}

if (!isSupportedNode(process.version)) {
  process.stderr.write(
    `This project needs Node.js >= ${MIN_LOCAL_NODE.join('.')} (it runs on Node 24, as Lambda does); this is ${process.version} (${process.execPath}).\n` +
      'Run it through npm (`npm start`, `npm test`, `npx tsx ...`): after `npm ci` they use the Node 24 that npm installed into node_modules/.bin (Linux x64/arm64).\n' +
      'On other platforms install Node 24 yourself.\n',
  );
  process.exit(1);
}
