// Turns a local folder or a hub repo id into a local folder, downloading only the files a cross-encoder needs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrossrankError } from '../errors';
import { externalDataFiles } from '../onnx-external-data';
import { SENTENCEPIECE_FILES, sentencePieceOnly } from '../tokenizer-config';
import { defaultCacheDir, defaultToken, RepoCache } from './hub-cache';
import { downloadBlob, fetchMetadata, type FileMetadata, type HubProgress } from './hub-download';
import { isCommitHash, isLocalPath, validateFilename, validateRepoId, validateRevision } from './repo-id';

export type { HubProgress } from './hub-download';

export interface ResolveOptions {
  /** Branch, tag or commit. Default 'main'. */
  revision?: string;
  /** The hub cache folder. Default: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
  cacheDir?: string;
  /** A hub access token. Default: HF_TOKEN, else the token file `huggingface-cli login` wrote. */
  token?: string;
  /** Use only the cache, never the network. Default: HF_HUB_OFFLINE. */
  offline?: boolean;
  onProgress?: (progress: HubProgress) => void;
  /** The ONNX file inside the repo. Default: onnx/model.onnx, else model.onnx. */
  modelFile?: string;
}

const DEFAULT_MODEL_FILES = ['onnx/model.onnx', 'model.onnx'];
const OPTIONAL_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'config_sentence_transformers.json',
  'sentence_bert_config.json',
];
// Without a tokenizer.json, a slow tokenizer's files, in the order the loader reads them (tokenizer-config.ts).
const SLOW_TOKENIZER_FILES = [['vocab.txt'], ['vocab.json', 'merges.txt']];

function truthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'on', 'yes', 'true'].includes(value.trim().toLowerCase());
}

// Two loads of one model in a process share a download instead of writing the same .incomplete file.
const inFlight = new Map<string, Promise<void>>();

function once(key: string, work: () => Promise<void>): Promise<void> {
  let pending = inFlight.get(key);
  if (!pending) {
    pending = work().finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

/**
 * A folder as is when `idOrDir` is a local path (it exists, or starts with `.`, `/`, `~`, or has no `/`); otherwise
 * an `org/name` hub repo whose needed files are fetched into the Hugging Face cache, and its snapshot folder.
 */
export async function resolveModel(idOrDir: string, options: ResolveOptions = {}): Promise<string> {
  if (isLocalPath(idOrDir)) return idOrDir;
  const repoId = validateRepoId(idOrDir);
  const revision = validateRevision(options.revision ?? 'main');
  if (options.modelFile !== undefined) validateFilename(options.modelFile);
  const cache = new RepoCache(options.cacheDir ?? defaultCacheDir(), repoId);
  const offline = options.offline ?? truthy(process.env.HF_HUB_OFFLINE);
  if (offline) return fromCache(cache, repoId, revision, options.modelFile);

  const endpoint = process.env.HF_ENDPOINT || 'https://huggingface.co';
  const token = options.token ?? defaultToken();
  const fetchFile = async (file: string, at: string): Promise<FileMetadata | 'missing'> => {
    const req = { repoId, file, token };
    const meta = await fetchMetadata(req, endpoint, at);
    if (meta === 'missing') {
      if (isCommitHash(at)) cache.markMissing(at, file);
      return 'missing';
    }
    const blob = cache.blobPath(meta.etag);
    await once(blob, () => downloadBlob(req, meta, endpoint, blob, options.onProgress));
    cache.linkSnapshot(meta.commit, file, meta.etag);
    return meta;
  };
  const notFound = (file: string): CrossrankError =>
    new CrossrankError('ERR_HUB_NOT_FOUND', `${file} of ${repoId} does not exist at revision ${revision} (HTTP 404)`);

  // The first file pins the commit; the rest are fetched at that commit so the snapshot is consistent.
  let config: FileMetadata | 'missing';
  try {
    config = await fetchFile('config.json', revision);
  } catch (error) {
    // Like huggingface_hub: when the hub cannot be reached at all, a complete cached snapshot still loads.
    const unreachable = error instanceof CrossrankError && error.code === 'ERR_HUB_DOWNLOAD' && error.cause !== undefined;
    if (!unreachable) throw error;
    try {
      return fromCache(cache, repoId, revision, options.modelFile);
    } catch {
      throw error;
    }
  }
  if (config === 'missing') throw notFound('config.json');
  const commit = config.commit;
  validateRevision(commit);
  cache.writeRef(revision, commit);
  const optional = await Promise.all(OPTIONAL_FILES.map((file) => fetchFile(file, commit)));
  if (optional[0] === 'missing') await fetchSlowTokenizer(fetchFile, (file) => fetchMetadata({ repoId, file, token }, endpoint, commit), repoId, commit);
  let modelFile: string | undefined;
  for (const candidate of options.modelFile !== undefined ? [options.modelFile] : DEFAULT_MODEL_FILES) {
    if ((await fetchFile(candidate, commit)) !== 'missing') {
      modelFile = candidate;
      break;
    }
  }
  if (modelFile === undefined) {
    throw new CrossrankError(
      'ERR_HUB_NOT_FOUND',
      `${repoId} has no ONNX model at revision ${revision}: looked for ${(options.modelFile !== undefined ? [options.modelFile] : DEFAULT_MODEL_FILES).join(' and ')}. ` +
        'Name the file with modelFile (e.g. onnx/model_quantized.onnx), or export the model to ONNX.',
    );
  }
  // Models over 2 GB keep their weights in external-data files (model.onnx_data, .data, ...) that the graph names.
  const chosen = modelFile;
  for (const file of externalFilesOf(cache.snapshotPath(commit, chosen), chosen)) {
    if ((await fetchFile(file, commit)) === 'missing') throw notFound(`${file} (the external data of ${chosen})`);
  }
  return cache.snapshotDir(commit);
}

/** The first complete set of slow-tokenizer files; else names the SentencePiece file (by HEAD, never downloaded). */
async function fetchSlowTokenizer(
  fetchFile: (file: string, at: string) => Promise<FileMetadata | 'missing'>,
  exists: (file: string) => Promise<FileMetadata | 'missing'>,
  repoId: string,
  commit: string,
): Promise<void> {
  for (const set of SLOW_TOKENIZER_FILES) {
    const got = await Promise.all(set.map((file) => fetchFile(file, commit)));
    if (got.every((meta) => meta !== 'missing')) return;
  }
  for (const file of SENTENCEPIECE_FILES) {
    if ((await exists(file)) !== 'missing') throw sentencePieceOnly(repoId, file);
  }
  throw new CrossrankError('ERR_HUB_NOT_FOUND', `${repoId} has no tokenizer.json, vocab.txt or vocab.json + merges.txt at commit ${commit}`);
}

/** The repo paths of the external-data files the downloaded ONNX file `modelFile` names. */
function externalFilesOf(localPath: string, modelFile: string): string[] {
  return externalDataFiles(localPath).map((location) => {
    const file = path.posix.join(path.posix.dirname(modelFile), location.replace(/\\/g, '/'));
    validateFilename(file);
    return file;
  });
}

/** The snapshot folder for `revision` using only the cache; ERR_HUB_OFFLINE naming what is missing. */
function fromCache(cache: RepoCache, repoId: string, revision: string, modelFile: string | undefined): string {
  const commit = isCommitHash(revision) ? revision : cache.readRef(revision);
  const hint = 'Load it once online (without offline: true / HF_HUB_OFFLINE) to fill the cache.';
  if (commit === undefined || !fs.existsSync(cache.snapshotDir(commit))) {
    throw new CrossrankError(
      'ERR_HUB_OFFLINE',
      `Offline, and ${repoId} at revision ${revision} is not in the cache ${cache.root}. ${hint}`,
    );
  }
  validateRevision(commit);
  const has = (file: string): boolean => fs.existsSync(cache.snapshotPath(commit, file));
  if (!has('config.json')) {
    throw new CrossrankError('ERR_HUB_OFFLINE', `Offline, and config.json of ${repoId} is not in the cache. ${hint}`);
  }
  const candidates = modelFile !== undefined ? [modelFile] : DEFAULT_MODEL_FILES;
  const cached = candidates.find(has);
  if (cached === undefined) {
    throw new CrossrankError(
      'ERR_HUB_OFFLINE',
      `Offline, and ${candidates.join(' / ')} of ${repoId} is not in the cache. ${hint}`,
    );
  }
  const missing = externalFilesOf(cache.snapshotPath(commit, cached), cached).find((file) => !has(file));
  if (missing !== undefined) {
    throw new CrossrankError('ERR_HUB_OFFLINE', `Offline, and ${missing} (the external data of ${cached}) of ${repoId} is not in the cache. ${hint}`);
  }
  return cache.snapshotDir(commit);
}
