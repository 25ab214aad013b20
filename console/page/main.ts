/** The console's page, bundled by the server (console/server/page-bundle.ts) into /static/app.js. */
import type { InfoResponse } from '../server/api.js';
import { api } from './api.js';
import { banner, setMode } from './dom.js';
import { onQueueKey } from './reviews/keys.js';
import { route } from './route.js';
import { takeToken, token } from './token.js';

takeToken();
window.addEventListener('hashchange', () => void route());
document.addEventListener('keydown', onQueueKey);
api<InfoResponse>('/api/info')
  .then((info) => {
    // Where a click decides matters most: a DynamoDB table is the deployed queue, even from a local console.
    const where = info.mode === 'deployed' ? `deployed: ${info.stateMachineArn}` : `local: ${info.dataDir}`;
    setMode(info.reviewStore ? `${where} · reviews: ${info.reviewStore}` : where);
  })
  .catch(() => undefined);
if (!token()) banner('No token: open the URL the console printed (with ?token=…) to approve or reject.');
void route();
