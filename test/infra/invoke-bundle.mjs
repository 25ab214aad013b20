/**
 * Runs one bundled Lambda handler in a fresh Node process, as the Lambda runtime would: import the
 * bundle, call `handler(event)`, report the result or the error's name (Lambda's errorType). The
 * result is the last line of stdout; the handler's own JSON logs come before it.
 *   node invoke-bundle.mjs <bundle.mjs> '<event JSON>'
 */
import { pathToFileURL } from 'node:url';

const [bundle, eventJson] = process.argv.slice(2);
const mod = await import(pathToFileURL(bundle).href);
try {
  const result = await mod.handler(JSON.parse(eventJson), { awsRequestId: 'smoke-test' });
  process.stdout.write(`\n${JSON.stringify({ ok: true, result })}\n`);
} catch (err) {
  process.stdout.write(`\n${JSON.stringify({ ok: false, errorType: err?.name, errorMessage: err?.message })}\n`);
}
