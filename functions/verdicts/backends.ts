/**
 * How a front end (`npm run review`, the console) reaches the review lifecycle's back-ends: the verdict
 * store (SQLite locally, the deployed DynamoDB table) and Step Functions' task callbacks. Tests pass
 * their own (dynalite, a loopback Step Functions); the real ones are below.
 */
import type { VerdictStoreConfig } from '../shared/verdicts/config.js';
import { sfnTaskCallbacks, type TaskCallbacks } from '../shared/verdicts/callbacks.js';
import { openVerdictStore } from '../shared/verdicts/index.js';
import type { VerdictStore } from '../shared/verdicts/store.js';

export interface StoreBackends {
  openStore: (config: VerdictStoreConfig, region?: string) => Promise<VerdictStore>;
  callbacks: (region?: string) => Promise<TaskCallbacks>;
}

export const defaultStoreBackends: StoreBackends = {
  openStore: openVerdictStore,
  callbacks: (region) => sfnTaskCallbacks(region),
};
