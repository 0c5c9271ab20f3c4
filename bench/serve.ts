// `crossrank serve` under HTTP load (autocannon, loopback) beside the library's own rank() closed loop (bench/concurrency's)
// in the same run: requests/s, p50/p99 and pairs/s for rank(query, 20) per connection count. Each point is a fixed number
// of requests (callers x rounds), counted from the first sent to the last answered, the same way on both paths.
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { queryPassagePairs, shortPairs } from '../test/helpers/pairs';
import { parseFlags } from './lib/args';
import { runInChild, serveChildTask } from './lib/child-process';
import { loadCrossrank } from './lib/crossrank';
import { describeMachine, machineInfo, physicalCores } from './lib/machine';
import { closedLoop } from './lib/closed-loop';
import { quantile } from './lib/stats';
import { fixed, formatTable, ratio } from './lib/table';

const flags = parseFlags(
  {
    model: { default: 'models/generated/minilm-l6', help: 'model folder' },
    docs: { default: 20, help: 'documents per request' },
    'doc-kind': { default: 'passage', help: "'passage' (~130-token pairs) or 'short' (~60)" },
    connections: { default: '1,16,64', help: 'concurrent connections (and in-process callers), comma-separated' },
    rounds: { default: 2, help: 'requests per connection at each point (total = max(min-calls, connections x rounds))' },
    'min-calls': { default: 16, help: 'fewest requests timed at any point' },
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

/** In a child process: rank() called by closed loops, as bench/concurrency does. */
async function inProcess(): Promise<Point[]> {
  const model = await loadCrossrank(path.resolve(flags.model), flags.threads);
  const calls = rankCalls(flags.bodies, flags.seed);
  for (const call of calls.slice(0, 2)) await model.rank(call.query, call.documents);
  const points: Point[] = [];
  for (const callers of levels) {
    const total = callsAt(callers);
    const loop = await closedLoop(callers, total, (i) => {
      const call = calls[i % calls.length] as RankCall;
      return model.rank(call.query, call.documents);
    });
    points.push({
      connections: callers,
      requestsPerSecond: total / loop.seconds,
      pairsPerSecond: (total * flags.docs) / loop.seconds,
      p50Ms: quantile(loop.latenciesMs, 0.5),
      p99Ms: quantile(loop.latenciesMs, 0.99),
      errors: 0,
    });
  }
  await model.close();
  return points;
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

async function overHttp(url: string, route: RouteName): Promise<Point[]> {
  const requests = rankCalls(flags.bodies, flags.seed).map((call) => ({
    method: 'POST' as const,
    path: ROUTES[route],
    headers: { 'content-type': 'application/json' },
    body: body(route, call),
  }));
  // autocannon's default 10 s timeout would cut (and so cancel) requests queued behind 64 connections' worth of work.
  const timeout = 600;
  // It notices the last answer only at its next sample tick (default every second): tick often, so duration is exact.
  const sampleInt = 20;
  await autocannon({ url, connections: 2, amount: 4, requests, timeout, sampleInt }); // warm-up
  const points: Point[] = [];
  for (const connections of levels) {
    const result = await autocannon({ url, connections, amount: callsAt(connections), requests, timeout, sampleInt });
    const ok = result.requests.total - result.non2xx;
    points.push({
      connections,
      requestsPerSecond: ok / result.duration,
      pairsPerSecond: (ok * flags.docs) / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.non2xx + result.timeouts,
    });
  }
  return points;
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const library = await runInChild<'in-process', Point[]>(__filename, 'in-process');
  const { child, url } = await startServer();
  const served: Partial<Record<RouteName, Point[]>> = {};
  try {
    for (const route of routes) served[route] = await overHttp(url, route);
  } finally {
    child.kill('SIGTERM');
  }
  if (flags.json) {
    console.log(JSON.stringify({ benchmark: 'serve', machine, flags, library, served }, null, 2));
    return;
  }
  console.log(`crossrank serve benchmark: rank(query, ${flags.docs} ${flags['doc-kind']} documents) on ${flags.model}, ${flags.threads} intra-op threads`);
  console.log(describeMachine(machine));
  console.log('library: rank() closed loops in one process (bench/concurrency\'s); HTTP: autocannon against `crossrank serve` on loopback (the load');
  console.log('generator shares the machine with the server). Requests per point: max(min-calls, connections x rounds), timed to the last answer.\n');
  const rows: string[][] = [];
  const row = (name: string, p: Point, reference: Point | undefined): string[] => [
    name,
    String(p.connections),
    fixed(p.requestsPerSecond, 2),
    fixed(p.p50Ms, 0),
    fixed(p.p99Ms, 0),
    fixed(p.pairsPerSecond),
    reference ? ratio(p.pairsPerSecond, reference.pairsPerSecond) : '',
    String(p.errors),
  ];
  for (const p of library) rows.push(row('library rank()', p, undefined));
  for (const route of routes) {
    for (const p of served[route] ?? []) rows.push(row(`serve ${ROUTES[route]}`, p, library.find((l) => l.connections === p.connections)));
  }
  console.log(formatTable(['path', 'connections', 'requests/s', 'p50 ms', 'p99 ms', 'pairs/s', 'vs library', 'errors'], rows));
}

if (!serveChildTask<'in-process', Point[]>(() => inProcess())) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
