/**
 * How a front end (`npm run review`, the console) reaches the review lifecycle's back-ends: the verdict
 * store (SQLite locally, the deployed DynamoDB table) and Step Functions' task callbacks. Tests pass
 * their own (dynalite, a loopback Step Functions); the real ones are below.
 */
import type { VerdictStoreConfig } from '../shared/verdict-store/config.js';
import type { TaskCallbacks } from './deps.js';
import { sfnTaskCallbacks } from './deliver.js';
import { openVerdictStore } from '../shared/verdict-store/index.js';
import type { VerdictStore } from '../shared/verdict-store/store.js';

export interface StoreBackends {
  openStore: (config: VerdictStoreConfig, region?: string) => Promise<VerdictStore>;
  callbacks: (region?: string) => Promise<TaskCallbacks>;
}

export const defaultStoreBackends: StoreBackends = {
  openStore: openVerdictStore,
  callbacks: (region) => sfnTaskCallbacks(region),
};
