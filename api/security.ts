/**
 * The local API's guard: the console's Host check (DNS rebinding) and per-start token, as a bearer
 * token on every request, reads included: verdicts and recorded moderations are not for other users of
 * the machine or for pages in its browser.
 */
import type { MiddlewareHandler } from 'hono';
import { requireLocalHost, sameToken } from '../console/server/security.js';

export { newToken } from '../console/server/security.js';

/** 401 TokenRequired without `Authorization: Bearer <token>`, 403 TokenRejected with a wrong one. */
export function requireBearer(token: string): MiddlewareHandler {
  return async (c, next) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
    if (!m) {
      return c.json({ error: 'TokenRequired', message: 'Send Authorization: Bearer <token>, with the token npm run serve printed when it started.' }, 401, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    if (!sameToken(m[1], token)) {
      return c.json({ error: 'TokenRejected', message: 'That token is not this server\u2019s (it changes at every start): use the one it printed.' }, 403);
    }
    return next();
  };
}

export function localGuard(token: string, hosts: () => string[]): MiddlewareHandler[] {
  return [requireLocalHost(hosts), requireBearer(token)];
}
