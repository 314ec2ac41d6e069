// Logging: one JSON object per line with Cloud Logging's `severity` off a TTY (Cloud Run, Kubernetes,
// CI), short readable lines on a TTY. Secrets registered with `redact()` are masked in every line,
// whatever field they hide in, so a token that leaks into an error message still never reaches output.
import winston from 'winston';

export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  child(labels: Record<string, string>): Logger;
}

const SEVERITY: Record<string, string> = { error: 'ERROR', warn: 'WARNING', info: 'INFO', debug: 'DEBUG' };
const LABELS = 'logging.googleapis.com/labels';

const secrets = new Set<string>();

/** Masks `secret` in all log output from now on (tokens, client secrets). Short strings are ignored. */
export function redact(secret: string | undefined): void {
  if (secret && secret.length >= 6) secrets.add(secret);
}

export function maskSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[REDACTED]');
  return out;
}

// The fields Cloud Logging lifts from a JSON line (`time`, not a string `timestamp`; stacks in
// `stack_trace`; labels as strings): docs/gcp.md#logging.
const cloudLogging = winston.format((info) => {
  const entry = info as Record<string | symbol, unknown>;
  entry.severity = SEVERITY[info.level] ?? 'DEFAULT';
  entry.time = new Date().toISOString();
  if (typeof entry.stack === 'string') {
    entry.stack_trace = entry.stack;
    delete entry.stack;
  }
  const labels = entry.labels;
  if (labels && typeof labels === 'object') {
    entry[LABELS] = labels;
    delete entry.labels;
  }
  delete entry.level;
  return info;
});

const masked = winston.format.printf((info) => {
  const { level, message, labels, stack, ...rest } = info as Record<string, unknown>;
  const scope = labels && typeof labels === 'object' ? Object.values(labels as Record<string, string>).join(' ') : '';
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  return maskSecrets(`${String(level)}${scope ? ` [${scope}]` : ''} ${String(stack ?? message)}${extra}`);
});

const maskedJson = winston.format.printf((info) => maskSecrets(JSON.stringify(info)));

function wrap(logger: winston.Logger, labels: Record<string, string>): Logger {
  const at = (level: LogLevel) => (message: string, meta: Record<string, unknown> = {}) =>
    logger.log(level, message, { ...meta, labels });
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: (more) => wrap(logger, { ...labels, ...more }),
  };
}

export interface LoggerOptions {
  format: LogFormat;
  level: LogLevel;
  labels?: Record<string, string>;
  /** Where lines go; stderr by default so stdout stays free for command output (status, sandbox URL). */
  stream?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const format = options.format === 'json'
    ? winston.format.combine(winston.format.errors({ stack: true }), cloudLogging(), maskedJson)
    : winston.format.combine(winston.format.errors({ stack: true }), winston.format.colorize(), masked);
  const logger = winston.createLogger({
    level: options.level,
    format,
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stderr })],
  });
  return wrap(logger, options.labels ?? {});
}

/**
 * Sends process warnings (deprecations, a library's `MetadataLookupWarning`) through `logger` as
 * WARNING lines instead of Node's own printer, whose plain text would break the one-JSON-object-per-line
 * rule off a terminal. Called again, it replaces the earlier logger.
 */
export function logProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    logger.warn(`${warning.name}: ${warning.message}`, { warning: warning.name, ...(warning.code ? { code: warning.code } : {}) });
  });
}
