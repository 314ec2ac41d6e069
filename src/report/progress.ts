// Progress while a run works. On a TTY: one live line per entity (operation status and objectCount
// while polling; bytes, rows and an ETA while streaming). Off a TTY: a structured `progress` log line
// per entity at most every `intervalMs`, so Cloud Logging shows movement without drowning in it.
import { Writable } from 'node:stream';
import type { Logger } from './log.ts';
import { formatBytes, plural } from './text.ts';

export interface EntityProgress {
  phase: 'queued' | 'submitting' | 'polling' | 'streaming' | 'uploading' | 'committed' | 'failed';
  status?: string;
  objectCount?: number;
  fileSize?: number | null;
  bytes?: number;
  lines?: number;
  rows?: number;
}

export interface Progress {
  update(entity: string, state: Partial<EntityProgress>): void;
  stop(): void;
}

function describe(entity: string, p: EntityProgress, startedAt: number, now: number): string {
  const parts = [`${entity.padEnd(18)} ${p.phase.padEnd(10)}`];
  if (p.status) parts.push(p.status);
  if (p.objectCount !== undefined && p.phase === 'polling') parts.push(plural(p.objectCount, 'object'));
  if (p.bytes !== undefined) {
    const total = p.fileSize ? ` / ${formatBytes(p.fileSize)}` : '';
    parts.push(`${formatBytes(p.bytes)}${total}`);
    if (p.fileSize && p.bytes > 0 && p.phase === 'streaming') {
      const elapsed = (now - startedAt) / 1000;
      const eta = (elapsed * (p.fileSize - p.bytes)) / p.bytes;
      parts.push(`ETA ${Math.max(0, Math.round(eta))}s`);
    }
  }
  if (p.rows !== undefined) parts.push(plural(p.rows, 'row'));
  return parts.join('  ');
}

/**
 * The live lines at the bottom of a terminal. Log lines are printed above them (the block is erased,
 * the line written, the block drawn again), so the two never tear each other apart.
 */
export class LiveBlock {
  readonly #stream: NodeJS.WriteStream;
  #lines: string[] = [];
  #drawn = 0;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  render(lines: string[]): void {
    this.#lines = lines;
    this.#stream.write(this.#erase() + this.#block());
  }

  /** Writes text (whole lines) above the live block. */
  print(text: string): void {
    this.#stream.write(this.#erase() + text + this.#block());
  }

  /** Leaves the block on screen as it is; whatever is written next goes below it. */
  release(): void {
    this.#lines = [];
    this.#drawn = 0;
  }

  /** A stream for the logger: what it writes lands above the live block. */
  writable(): Writable {
    return new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        this.print(chunk.toString());
        done();
      },
    });
  }

  #erase(): string {
    const out = this.#drawn > 0 ? `\x1b[${this.#drawn}A\x1b[0J` : '';
    this.#drawn = 0;
    return out;
  }

  #block(): string {
    this.#drawn = this.#lines.length;
    return this.#lines.map((l) => `${l}\n`).join('');
  }
}

/** `live`: the terminal's live block, or null off a TTY (then progress goes to the log, rate-bounded). */
export function createProgress(options: { live: LiveBlock | null; logger: Logger; intervalMs?: number; now?: () => number }): Progress {
  const now = options.now ?? Date.now;
  const entities = new Map<string, { p: EntityProgress; startedAt: number; loggedAt: number }>();
  const interval = options.intervalMs ?? 10_000;
  const live = options.live;
  const draw = (): void => {
    const t = now();
    live?.render([...entities].map(([name, e]) => describe(name, e.p, e.startedAt, t)));
  };
  const timer = live ? setInterval(draw, 200) : null;
  timer?.unref();

  return {
    update(entity, state) {
      const t = now();
      const e = entities.get(entity) ?? { p: { phase: 'queued' }, startedAt: t, loggedAt: 0 };
      const phaseChanged = state.phase !== undefined && state.phase !== e.p.phase;
      if (state.phase === 'streaming' && phaseChanged) e.startedAt = t;
      e.p = { ...e.p, ...state };
      entities.set(entity, e);
      if (!live && (phaseChanged || t - e.loggedAt >= interval)) {
        e.loggedAt = t;
        options.logger.info('progress', { entity, ...e.p });
      }
    },
    stop() {
      if (timer) {
        clearInterval(timer);
        draw();
        live?.release();
      }
    },
  };
}
