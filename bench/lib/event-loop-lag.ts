// Event-loop lag while a path runs: a 1 ms interval probe records how late each tick comes (and the gap still open at stop).
import { quantile } from './stats';

const PERIOD_MS = 1;

export interface LagStats {
  /** Longest delay of a 1 ms timer beyond its period, in ms. */
  maxMs: number;
  p99Ms: number;
}

export class EventLoopLag {
  #lags: number[] = [];
  #last = 0;
  #timer: NodeJS.Timeout | undefined;

  start(): void {
    this.#lags = [];
    this.#last = performance.now();
    this.#timer = setInterval(() => this.#tick(), PERIOD_MS);
  }

  /** Stops probing; the gap since the last tick counts too, so one long blocking call at the end is not missed. */
  stop(): LagStats {
    this.#tick();
    clearInterval(this.#timer);
    // A reduce, not Math.max(...lags): a responsive minute-long run has ~100k samples, past the argument limit.
    return { maxMs: this.#lags.reduce((m, x) => Math.max(m, x), 0), p99Ms: quantile(this.#lags, 0.99) };
  }

  #tick(): void {
    const now = performance.now();
    this.#lags.push(Math.max(0, now - this.#last - PERIOD_MS));
    this.#last = now;
  }
}
