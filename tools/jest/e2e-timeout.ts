import { jest } from '@jest/globals';

// An end-to-end test drives the whole system through a story (test clocks, retries, a broker
// restart); Jest reads `testTimeout` only from the global configuration, so the e2e tier sets its
// own here.
jest.setTimeout(600_000);
