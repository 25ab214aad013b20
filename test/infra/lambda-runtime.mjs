/**
 * Invokes one handler the way the Node.js Lambda runtime does, in this (fresh) process:
 * cwd = LAMBDA_TASK_ROOT, _HANDLER = "<module>.<export>" (the image's CMD / imageConfig command, or a zip
 * function's handler); the module is <task root>/<module> with .js, .mjs or .cjs, as the runtime looks
 * it up; the export must be a function. Node 24's runtime has no callbacks: a handler that declares a
 * third (callback) parameter or does not return a promise is an error here, as it is there.
 *   node lambda-runtime.mjs '<event JSON>'     (the outcome is the last line of stdout)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

function report(outcome) {
  process.stdout.write(`\n${JSON.stringify(outcome)}\n`);
}

const taskRoot = process.env.LAMBDA_TASK_ROOT;
const [moduleName, exportName] = (process.env._HANDLER ?? '').split('.');
try {
  const file = ['.js', '.mjs', '.cjs'].map((ext) => path.join(taskRoot, moduleName + ext)).find(existsSync);
  if (!file) throw Object.assign(new Error(`Cannot find module '${moduleName}' in ${taskRoot}`), { name: 'Runtime.ImportModuleError' });
  const mod = await import(pathToFileURL(file).href).catch((err) => {
    throw Object.assign(new Error(`${err?.message}`), { name: 'Runtime.ImportModuleError' });
  });
  const handler = mod[exportName];
  if (typeof handler !== 'function')
    throw Object.assign(new Error(`${moduleName}.${exportName} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  if (handler.length >= 3)
    throw Object.assign(new Error('Callback-based handlers are not supported on Node.js 24'), { name: 'Runtime.CallbackHandlerDeprecated' });
  const context = { awsRequestId: 'task-root-test', functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, getRemainingTimeInMillis: () => 30_000 };
  const returned = handler(JSON.parse(process.argv[2]), context);
  if (typeof returned?.then !== 'function')
    throw Object.assign(new Error('The handler did not return a promise (async handlers only on Node.js 24)'), { name: 'Runtime.NotAsync' });
  report({ ok: true, result: await returned });
} catch (err) {
  report({ ok: false, errorType: err?.name, errorMessage: err?.message });
}
