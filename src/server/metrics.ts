// Prometheus metrics of the server, kept by prom-client in a registry of its own (not the process-global one).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { BatchStats } from '../../binding/native';

export interface ServerMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'status'>;
  readonly duration: Histogram<'route'>;
  readonly pairs: Counter<'route'>;
  readonly requestPairs: Histogram<'route'>;
  readonly requestsInFlight: Gauge;
  readonly pairsInFlight: Gauge;
  readonly ready: Gauge;
}

/** A counter read from the model's batch totals at scrape time (0 until a model is set). */
function batchCounter(registry: Registry, name: string, help: string, read: () => number): Counter {
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

export function createMetrics(batchStats: () => BatchStats | undefined): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'crossrank_' });
  batchCounter(registry, 'crossrank_batches_total', 'ONNX Runtime runs of the shared batcher', () => batchStats()?.batches ?? 0);
  batchCounter(registry, 'crossrank_batch_tokens_total', 'Real tokens run (special tokens included)', () => batchStats()?.tokens ?? 0);
  batchCounter(
    registry,
    'crossrank_batch_padded_tokens_total',
    'Tokens as run, rows x width: 1 - tokens / padded tokens is the share of compute spent on padding',
    () => batchStats()?.paddedTokens ?? 0,
  );
  return {
    registry,
    requests: new Counter({
      name: 'crossrank_http_requests_total',
      help: 'HTTP requests answered, by route and status (499: the client left first)',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'crossrank_http_request_duration_seconds',
      help: 'Time from a request arriving to its response, by route',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    pairs: new Counter({
      name: 'crossrank_pairs_total',
      help: 'Query-document pairs scored, by route',
      labelNames: ['route'],
      registers: [registry],
    }),
    requestPairs: new Histogram({
      name: 'crossrank_request_pairs',
      help: 'Pairs per scoring request (what each request adds to the shared batcher)',
      labelNames: ['route'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    requestsInFlight: new Gauge({
      name: 'crossrank_requests_in_flight',
      help: 'Scoring requests admitted and not yet answered',
      registers: [registry],
    }),
    pairsInFlight: new Gauge({
      name: 'crossrank_pairs_in_flight',
      help: 'Pairs queued in or running through the batcher for requests not yet answered (the queue depth)',
      registers: [registry],
    }),
    ready: new Gauge({
      name: 'crossrank_ready',
      help: '1 once the model is loaded and the server answers scoring requests, else 0',
      registers: [registry],
    }),
  };
}
