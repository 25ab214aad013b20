/**
 * Which Node runs this project: the suite must run on the Node that Lambda runs (npm ci installs it
 * into node_modules/.bin and npm scripts use it), and an older Node must be refused at start-up with
 * a message, not fail later inside node:sqlite or the embedded engine.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { isSupportedNode } from '../../cli/node-version.js';
import { projectRoot } from '../workflow/fixtures.js';

const LAMBDA_NODE_MAJOR = 24;

describe('the Node that runs the project', () => {
  it(`is Node ${LAMBDA_NODE_MAJOR}, the Node of the Lambda runtime`, () => {
    expect(Number(process.versions.node.split('.')[0]), `running on ${process.execPath}`).to.equal(LAMBDA_NODE_MAJOR);
  });

  it('is the binary npm installed into node_modules/.bin when the platform has one', function () {
    const local = path.join(projectRoot, 'node_modules/.bin/node');
    if (!existsSync(local)) this.skip(); // no node-<os>-<arch> package for this platform: a system Node 24 runs the suite
    expect(realpathSync(process.execPath)).to.equal(realpathSync(local));
  });

  it('accepts Node >= 22.5 only (node:sqlite, Promise.withResolvers)', () => {
    expect(['v20.20.2', 'v22.4.1', '21.7.3'].filter(isSupportedNode)).to.deep.equal([]);
    expect(['v22.5.0', 'v22.12.0', 'v24.22.3', '26.1.0'].every(isSupportedNode)).to.equal(true);
  });

  it('refuses an older Node at start-up with what to do (npm start under the Node that ran npm)', async function () {
    // npm_node_execpath is the Node that ran `npm test`: the system Node 20 on these machines and in CI.
    const oldNode = process.env.npm_node_execpath;
    if (!oldNode) this.skip();
    const { stdout: version } = await promisify(execFile)(oldNode, ['--version']);
    if (isSupportedNode(version.trim())) this.skip(); // npm itself ran on a current Node: nothing old to refuse
    const start = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).scripts.start as string;
    const args = start.replace(/^tsx /, '').split(' ');
    const run = promisify(execFile)(oldNode, ['--import', 'tsx', ...args, '--help'], { cwd: projectRoot });
    const err = await run.then(
      () => expect.fail('Node 20 ran the CLI'),
      (e: { code: number; stderr: string }) => e,
    );
    expect(err.code).to.equal(1);
    expect(err.stderr)
      .to.match(/needs Node\.js >= 22\.5/)
      .and.match(/node_modules\/\.bin/);
  });
});
