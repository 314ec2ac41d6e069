// A logger for tests that do not look at logs.
import type { Logger } from '../../src/report/log.ts';

/** Drops everything. */
export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child: () => silentLogger,
};
