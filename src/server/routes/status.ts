// GET /health and GET /info: readiness, and what is being served (TEI's /info fields where they apply).
import type { CrossEncoder } from '../../cross-encoder';
import { crossrankVersion } from '../../quantize/derived-model';
import type { RouteSettings } from '../route';

export function healthBody(): { status: 'ok' } {
  return { status: 'ok' };
}

export function infoBody(settings: RouteSettings, model: CrossEncoder | undefined): Record<string, unknown> {
  return {
    model_id: settings.modelName,
    model_type: 'reranker',
    ready: model !== undefined,
    version: crossrankVersion(),
    max_client_batch_size: settings.maxDocuments,
    ...(model && {
      max_input_length: model.maxLength,
      model_dtype: model.precision,
      activation: model.activation,
      optimized: model.optimized,
      execution_provider: model.executionProvider,
      onnxruntime_version: model.runtime.version,
    }),
  };
}
