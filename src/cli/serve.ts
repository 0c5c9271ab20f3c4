// `crossrank serve`: one model behind the rerank HTTP APIs stacks already call (TEI, Cohere / Jina / vLLM), until SIGTERM.
import { CrossEncoder } from '../cross-encoder';
import { RerankServer } from '../server/app';
import { type Command, integerOption, MODEL_HELP, MODEL_OPTIONS, modelArgs, optionalString, UsageError } from './args';

function log(line: string): void {
  process.stderr.write(`crossrank serve: ${line}\n`);
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve a model over HTTP (TEI /rerank, Cohere /v1 and /v2/rerank, vLLM /score)',
  help: `Usage: crossrank serve --model DIR [--port 8080] [--host 127.0.0.1] [options]

Serves the model until SIGTERM or Ctrl-C, which stop accepting connections, finish the requests in flight and exit 0.
Listens at once; GET /health answers 503 until the model is loaded, then 200.

Routes:
  POST /rerank             text-embeddings-inference: { query, texts, raw_scores, return_text, truncate }
  POST /v1/rerank          Cohere v1 (and Jina, vLLM): { query, documents, top_n, return_documents, max_chunks_per_doc }
  POST /v2/rerank          Cohere v2: { query, documents, top_n, max_tokens_per_doc }
  POST /score, /v1/score   vLLM: { text_1, text_2 }
  GET  /health, /info, /metrics (Prometheus)

Options:
  -p, --port N             port to listen on (default 8080; 0 picks a free one)
      --host ADDR          address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
      --api-key KEY        require "Authorization: Bearer KEY" on every route but /health (default: CROSSRANK_API_KEY)
      --served-model-name NAME   the model name responses report (default: --model)
      --max-documents N    documents or pairs per request at most; more is answered 413 (default 1000)
      --max-body-bytes N   request body size limit; more is answered 413 (default 2000000)
      --max-chunks-per-doc N  Cohere routes: windows per long document unless the request says (default 10)
      --auto-truncate      /rerank: cut over-long pairs when a request omits "truncate" (TEI's default refuses them)
      --max-queued-pairs N pairs waiting in the batcher before requests get 429 (default 100000)
      --log-requests       one stderr line per request: method, path, status, pairs, milliseconds (never the texts)
${MODEL_HELP}`,
  options: {
    ...MODEL_OPTIONS,
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    'api-key': { type: 'string' },
    'served-model-name': { type: 'string' },
    'max-documents': { type: 'string' },
    'max-body-bytes': { type: 'string' },
    'max-chunks-per-doc': { type: 'string' },
    'auto-truncate': { type: 'boolean' },
    'max-queued-pairs': { type: 'string' },
    'log-requests': { type: 'boolean' },
  },
  async run(values, signal) {
    const { model: modelId, options } = modelArgs(values);
    const port = integerOption(values, 'port', 0) ?? 8080;
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    const host = optionalString(values, 'host') ?? '127.0.0.1';
    const maxQueuedPairs = integerOption(values, 'max-queued-pairs', 1);
    if (maxQueuedPairs !== undefined) options.batching = { maxQueuedPairs };
    const apiKey = optionalString(values, 'api-key') ?? (process.env.CROSSRANK_API_KEY || undefined);
    const server = new RerankServer({
      modelName: optionalString(values, 'served-model-name') ?? modelId,
      apiKey,
      maxDocuments: integerOption(values, 'max-documents', 1) ?? 1000,
      maxBodyBytes: integerOption(values, 'max-body-bytes', 1) ?? 2_000_000,
      maxChunksPerDoc: integerOption(values, 'max-chunks-per-doc', 1) ?? 10,
      autoTruncate: values['auto-truncate'] === true,
      logRequest: values['log-requests'] === true ? log : undefined,
    });

    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const onTerm = (): void => stop();
    process.once('SIGTERM', onTerm);
    signal.addEventListener('abort', onTerm, { once: true });

    let model: CrossEncoder | undefined;
    try {
      const address = await server.listen(port, host);
      log(`listening on http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`);
      const loading = CrossEncoder.load(modelId, options);
      // A stop during loading still waits for the load, so the session is closed rather than leaked.
      model = await loading;
      if (model.numLabels !== 1) {
        throw new UsageError(`crossrank serve needs a reranker with one label; ${modelId} has ${model.numLabels}`);
      }
      server.setModel(model);
      log(`ready: ${modelId} (${model.precision}${model.optimized ? ', fused attention' : ''}, max ${model.maxLength} tokens, ${model.executionProvider})${apiKey ? ', API key required' : ''}`);
      await stopped;
      const shutdown = server.shutdown();
      log('stopping: no new connections; finishing the requests in flight');
      await shutdown;
      return 0;
    } finally {
      process.off('SIGTERM', onTerm);
      signal.removeEventListener('abort', onTerm);
      await server.shutdown();
      await model?.close();
    }
  },
};
