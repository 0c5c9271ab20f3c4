// `crossrank serve` under HTTP load (autocannon, loopback) beside the library's own rank() closed loop (bench/concurrency's)
// in the same run: requests/s, p50/p99 and pairs/s for rank(query, 20) per connection count. Each point is a fixed number
// of requests (callers x rounds), counted from the first sent to the last answered, the same way on both paths; library
// and server points alternate, so drift on a shared machine hits both, and the ratio is the median over alternations.
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { queryPassagePairs, shortPairs } from '../test/helpers/pairs';
import { parseFlags } from './lib/args';
import { loadCrossrank } from './lib/crossrank';
import { describeMachine, machineInfo, physicalCores } from './lib/machine';
import { closedLoop } from './lib/closed-loop';
import { median, quantile } from './lib/stats';
import { fixed, formatTable, ratio } from './lib/table';

const flags = parseFlags(
  {
    model: { default: 'models/generated/minilm-l6', help: 'model folder' },
    docs: { default: 20, help: 'documents per request' },
    'doc-kind': { default: 'passage', help: "'passage' (~130-token pairs) or 'short' (~60)" },
    connections: { default: '1,16,64', help: 'concurrent connections (and in-process callers), comma-separated' },
    rounds: { default: 2, help: 'requests per connection at each point (total = max(min-calls, connections x rounds))' },
    'min-calls': { default: 16, help: 'fewest requests timed at any point' },
    alternations: { default: 3, help: 'library / server rounds per connection count (ratio = their median)' },
    routes: { default: 'tei,cohere', help: "routes loaded: 'tei' (/rerank) and/or 'cohere' (/v1/rerank)" },
    bodies: { default: 64, help: 'distinct request bodies cycled through' },
    threads: { default: physicalCores(), help: 'intra-op threads of the model, in-process and served' },
    seed: { default: 11, help: 'seed of the pair generators' },
    json: { default: false, help: 'print the results as JSON instead of tables' },
  },
  'Usage: npx tsx bench/serve.ts [flags]',
);

const levels = flags.connections.split(',').map(Number).filter((c) => c > 0);
const callsAt = (connections: number): number => Math.max(flags['min-calls'], connections * flags.rounds);
const ROUTES = { tei: '/rerank', cohere: '/v1/rerank' } as const;
type RouteName = keyof typeof ROUTES;
const routes = flags.routes.split(',').filter((r): r is RouteName => r in ROUTES);

interface RankCall {
  query: string;
  documents: string[];
}

function rankCalls(count: number, seed: number): RankCall[] {
  const n = flags.docs;
  const pairs = flags['doc-kind'] === 'short' ? shortPairs(count * n, seed) : queryPassagePairs(count * n, seed);
  return Array.from({ length: count }, (_, i) => {
    const slice = pairs.slice(i * n, (i + 1) * n);
    return { query: (slice[0] as [string, string])[0], documents: slice.map(([, d]) => d) };
  });
}

interface Point {
  connections: number;
  requestsPerSecond: number;
  pairsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

type Model = Awaited<ReturnType<typeof loadCrossrank>>;

/** rank() called in this process by `callers` closed loops, as bench/concurrency does. */
async function libraryPoint(model: Model, calls: readonly RankCall[], callers: number): Promise<Point> {
  const total = callsAt(callers);
  const loop = await closedLoop(callers, total, (i) => {
    const call = calls[i % calls.length] as RankCall;
    return model.rank(call.query, call.documents);
  });
  return {
    connections: callers,
    requestsPerSecond: total / loop.seconds,
    pairsPerSecond: (total * flags.docs) / loop.seconds,
    p50Ms: quantile(loop.latenciesMs, 0.5),
    p99Ms: quantile(loop.latenciesMs, 0.99),
    errors: 0,
  };
}

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const main = path.resolve(__dirname, '..', 'src', 'cli', 'main.ts');
  const args = ['--import', 'tsx', main, 'serve', '-m', path.resolve(flags.model), '--port', '0', '--threads', String(flags.threads), '--activation', 'identity'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)?.[1];
      if (/ready:/.test(stderr) && port) resolve({ child, url: `http://127.0.0.1:${port}` });
    });
    child.on('exit', (code) => reject(new Error(`crossrank serve exited with ${code}: ${stderr.trim()}`)));
  });
}

function body(route: RouteName, call: RankCall): string {
  return JSON.stringify(route === 'tei' ? { query: call.query, texts: call.documents, truncate: true } : { query: call.query, documents: call.documents });
}

function requestsFor(route: RouteName, calls: readonly RankCall[]): autocannon.Request[] {
  return calls.map((call) => ({ method: 'POST', path: ROUTES[route], headers: { 'content-type': 'application/json' }, body: body(route, call) }));
}

// autocannon's default 10 s timeout would cut (and so cancel) requests queued behind 64 connections' worth of work;
// and it notices the last answer only at its next sample tick (default every second): tick often, so duration is exact.
const AUTOCANNON = { timeout: 600, sampleInt: 20 };

async function httpPoint(url: string, requests: autocannon.Request[], connections: number): Promise<Point> {
  const result = await autocannon({ url, connections, amount: callsAt(connections), requests, ...AUTOCANNON });
  const ok = result.requests.total - result.non2xx;
  return {
    connections,
    requestsPerSecond: ok / result.duration,
    pairsPerSecond: (ok * flags.docs) / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

/** The run with the median pairs/s of a path's alternations. */
function medianPoint(points: readonly Point[]): Point {
  return [...points].sort((a, b) => a.pairsPerSecond - b.pairsPerSecond)[Math.floor(points.length / 2)] as Point;
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const calls = rankCalls(flags.bodies, flags.seed);
  const model = await loadCrossrank(path.resolve(flags.model), flags.threads);
  for (const call of calls.slice(0, 2)) await model.rank(call.query, call.documents);
  const { child, url } = await startServer();
  const library: Point[] = [];
  const served: Partial<Record<RouteName, Point[]>> = {};
  const ratios: Partial<Record<RouteName, number[]>> = {};
  try {
    const requests = Object.fromEntries(routes.map((r) => [r, requestsFor(r, calls)])) as Record<RouteName, autocannon.Request[]>;
    for (const route of routes) await autocannon({ url, connections: 2, amount: 4, requests: requests[route], ...AUTOCANNON }); // warm-up
    for (const connections of levels) {
      const runs: { library: Point; served: Partial<Record<RouteName, Point>> }[] = [];
      for (let a = 0; a < flags.alternations; a++) {
        const run = { library: await libraryPoint(model, calls, connections), served: {} as Partial<Record<RouteName, Point>> };
        for (const route of routes) run.served[route] = await httpPoint(url, requests[route], connections);
        runs.push(run);
      }
      library.push(medianPoint(runs.map((r) => r.library)));
      for (const route of routes) {
        (served[route] ??= []).push(medianPoint(runs.map((r) => r.served[route] as Point)));
        (ratios[route] ??= []).push(median(runs.map((r) => (r.served[route] as Point).pairsPerSecond / r.library.pairsPerSecond)));
      }
    }
  } finally {
    child.kill('SIGTERM');
    await model.close();
  }
  if (flags.json) {
    console.log(JSON.stringify({ benchmark: 'serve', machine, flags, library, served, ratios }, null, 2));
    return;
  }
  console.log(`crossrank serve benchmark: rank(query, ${flags.docs} ${flags['doc-kind']} documents) on ${flags.model}, ${flags.threads} intra-op threads`);
  console.log(describeMachine(machine));
  console.log('library: rank() closed loops in this process (bench/concurrency\'s); HTTP: autocannon from this process against `crossrank serve`');
  console.log('on loopback. Requests per point: max(min-calls, connections x rounds), timed to the last answer. Library and server points');
  console.log(`alternate ${flags.alternations} times per connection count: rows show the median run, 'vs library' the median of the per-alternation ratios.\n`);
  const rows: string[][] = [];
  const row = (name: string, p: Point, vsLibrary: number | undefined): string[] => [
    name,
    String(p.connections),
    fixed(p.requestsPerSecond, 2),
    fixed(p.p50Ms, 0),
    fixed(p.p99Ms, 0),
    fixed(p.pairsPerSecond),
    vsLibrary === undefined ? '' : ratio(vsLibrary, 1),
    String(p.errors),
  ];
  for (const p of library) rows.push(row('library rank()', p, undefined));
  for (const route of routes) {
    (served[route] ?? []).forEach((p, i) => rows.push(row(`serve ${ROUTES[route]}`, p, ratios[route]?.[i])));
  }
  console.log(formatTable(['path', 'connections', 'requests/s', 'p50 ms', 'p99 ms', 'pairs/s', 'vs library', 'errors'], rows));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
