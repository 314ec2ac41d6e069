import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import type { Logger } from '../../src/report/log.ts';
import { createProgress, LiveBlock } from '../../src/report/progress.ts';

function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d: Buffer) => { out += d.toString(); });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => out };
}

function recordingLogger(): { logger: Logger; lines: Array<{ message: string; meta: Record<string, unknown> }> } {
  const lines: Array<{ message: string; meta: Record<string, unknown> }> = [];
  const logger: Logger = {
    error: (message, meta = {}) => lines.push({ message, meta }),
    warn: (message, meta = {}) => lines.push({ message, meta }),
    info: (message, meta = {}) => lines.push({ message, meta }),
    debug: () => undefined,
    child: () => logger,
  };
  return { logger, lines };
}

describe('progress', () => {
  it('prints log lines above the live block and draws the block again below them', async () => {
    const tty = terminal();
    const live = new LiveBlock(tty.stream);
    live.render(['orders   polling', 'products streaming']);
    live.writable().write('info window committed\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(tty.text()).to.equal(
      'orders   polling\nproducts streaming\n' +
        '\x1b[2A\x1b[0J' + 'info window committed\n' + 'orders   polling\nproducts streaming\n',
    );
    live.release();
    live.print('after the run\n');
    expect(tty.text().endsWith('products streaming\nafter the run\n'), 'a released block is left alone').to.equal(true);
  });

  it('shows status and objects while polling, bytes, rows and an ETA while streaming', () => {
    const tty = terminal();
    let now = 0;
    const progress = createProgress({ live: new LiveBlock(tty.stream), logger: recordingLogger().logger, now: () => now });
    progress.update('orders', { phase: 'polling', status: 'RUNNING', objectCount: 1200 });
    progress.stop();
    expect(tty.text()).to.match(/orders\s+polling\s+RUNNING\s+1200 objects/);
    const tty2 = terminal();
    const streaming = createProgress({ live: new LiveBlock(tty2.stream), logger: recordingLogger().logger, now: () => now });
    streaming.update('orders', { phase: 'streaming', fileSize: 4 * 1024 * 1024, bytes: 0, rows: 0 });
    now = 10_000;
    streaming.update('orders', { bytes: 1024 * 1024, rows: 5000 });
    streaming.stop();
    expect(tty2.text()).to.match(/orders\s+streaming\s+1\.0 MiB \/ 4\.0 MiB\s+ETA 30s\s+5000 rows/);
  });

  it('says 1 object and 1 row, not 1 objects and 1 rows', () => {
    const tty = terminal();
    const progress = createProgress({ live: new LiveBlock(tty.stream), logger: recordingLogger().logger });
    progress.update('shop', { phase: 'polling', status: 'RUNNING', objectCount: 1 });
    progress.update('orders', { phase: 'streaming', bytes: 10, rows: 1 });
    progress.stop();
    expect(tty.text()).to.match(/shop\s+polling\s+RUNNING\s+1 object$/m);
    expect(tty.text()).to.match(/orders\s+streaming\s+10 B\s+1 row$/m);
  });

  it('off a terminal, logs each phase change and otherwise at most once per interval', () => {
    let now = 0;
    const { logger, lines } = recordingLogger();
    const progress = createProgress({ live: null, logger, intervalMs: 10_000, now: () => now });
    progress.update('orders', { phase: 'streaming', bytes: 0 });
    for (let i = 1; i <= 50; i++) {
      now += 500;
      progress.update('orders', { bytes: i * 1000 });
    }
    progress.update('orders', { phase: 'uploading' });
    progress.stop();
    expect(lines.map((l) => [l.message, l.meta.phase, l.meta.bytes])).to.deep.equal([
      ['progress', 'streaming', 0],
      ['progress', 'streaming', 20_000],
      ['progress', 'streaming', 40_000],
      ['progress', 'uploading', 50_000],
    ]);
  });
});
