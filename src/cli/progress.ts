// A one-line progress bar on stderr, drawn only when stderr is a terminal (silent when piped or redirected).
export interface Progress {
  /** Sets how much is done, out of the total given at creation. */
  update(done: number): void;
  /** Erases the bar. */
  stop(): void;
}

const SILENT: Progress = { update() {}, stop() {} };
const WIDTH = 30;
const REDRAW_MS = 100;

function seconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  return s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

/** A bar for `total` units; with a `unit` ("pairs") it also shows the count and the rate. */
export function progressBar(total: number, unit?: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total <= 0) return SILENT;
  const started = performance.now();
  let drawn = 0;
  let shown = false;
  const draw = (done: number): void => {
    const fraction = Math.min(1, done / total);
    const elapsed = (performance.now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const filled = Math.round(fraction * WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
    const eta = rate > 0 ? seconds((total - done) / rate) : '?';
    const counts = unit === undefined ? '' : ` ${done}/${total} ${rate.toFixed(0)} ${unit}/s`;
    stream.write(`\r${bar} ${(fraction * 100).toFixed(0).padStart(3)}%${counts} ETA ${eta}\x1b[K`);
    shown = true;
  };
  return {
    update(done) {
      const now = performance.now();
      if (now - drawn < REDRAW_MS && done < total) return;
      drawn = now;
      draw(done);
    },
    stop() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
