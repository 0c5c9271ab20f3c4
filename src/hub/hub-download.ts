// HTTP against the hub's resolve endpoint: file metadata (commit, ETag, size) and blob downloads that resume and verify.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrossrankError } from '../errors';
import { withBlobLock } from './blob-lock';

export interface HubProgress {
  /** The file's path inside the repo, e.g. `onnx/model.onnx`. */
  file: string;
  loaded: number;
  /** Bytes in the file, when the server says. */
  total: number | undefined;
}

export interface HubRequest {
  repoId: string;
  file: string;
  token: string | undefined;
}

export interface FileMetadata {
  commit: string;
  /** Names the blob: the sha256 for LFS files (X-Linked-Etag), the git blob id otherwise. */
  etag: string;
  size: number | undefined;
  /** Where the bytes are: the CDN URL an LFS file redirects to, else the resolve URL. */
  location: string;
}

const MAX_REDIRECTS = 10;
const ATTEMPTS = 5;
const SHA256 = /^[0-9a-f]{64}$/;

export function resolveUrl(endpoint: string, repoId: string, revision: string, file: string): string {
  const encodedFile = file.split('/').map(encodeURIComponent).join('/');
  return `${endpoint.replace(/\/+$/, '')}/${repoId}/resolve/${encodeURIComponent(revision)}/${encodedFile}`;
}

/** The hub's ETag without a weak prefix or quotes. */
function normalizeEtag(etag: string | null): string | undefined {
  if (!etag) return undefined;
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}

function headersFor(url: string, token: string | undefined, authOrigin: string, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'crossrank', ...extra };
  // The token goes only to the hub itself, never to the CDN it redirects to.
  if (token && new URL(url).origin === authOrigin) headers.authorization = `Bearer ${token}`;
  return headers;
}

function where(req: HubRequest): string {
  return `${req.file} of ${req.repoId}`;
}

/** A coded error for an HTTP failure; `undefined` when the file simply does not exist (404 EntryNotFound). */
function httpError(req: HubRequest, response: Response, revision: string): CrossrankError | 'missing' {
  const code = response.headers.get('x-error-code');
  const status = response.status;
  if (status === 401 || status === 403 || code === 'GatedRepo') {
    return new CrossrankError(
      'ERR_HUB_UNAUTHORIZED',
      `The hub refused ${where(req)} (HTTP ${status}${code ? ` ${code}` : ''}): the repo is private, gated or does not exist. ` +
        'Check the id, accept its terms on the hub if gated, and pass a token (options.token or HF_TOKEN).',
    );
  }
  if (status === 404) {
    if (code === 'RepoNotFound') {
      return new CrossrankError('ERR_HUB_NOT_FOUND', `Repo ${req.repoId} does not exist on the hub (while fetching ${req.file})`);
    }
    if (code === 'RevisionNotFound') {
      return new CrossrankError('ERR_HUB_NOT_FOUND', `Revision ${revision} of ${req.repoId} does not exist (while fetching ${req.file})`);
    }
    return 'missing';
  }
  return new CrossrankError('ERR_HUB_DOWNLOAD', `Fetching ${where(req)} failed: HTTP ${status} ${response.statusText}`);
}

function networkError(req: HubRequest, error: unknown): CrossrankError {
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  return new CrossrankError(
    'ERR_HUB_DOWNLOAD',
    `Fetching ${where(req)} failed: ${(error as Error).message}${cause ? ` (${cause})` : ''}. ` +
      'Check the connection or HF_ENDPOINT, or load offline from the cache with offline: true.',
    { cause: error },
  );
}

/**
 * HEADs the resolve URL like huggingface_hub: follows only same-origin redirects (a renamed repo), and reads the
 * commit and ETag from the response that would redirect to the CDN. Resolves 'missing' for a file the repo lacks.
 */
export async function fetchMetadata(req: HubRequest, endpoint: string, revision: string): Promise<FileMetadata | 'missing'> {
  let url = resolveUrl(endpoint, req.repoId, revision, req.file);
  const authOrigin = new URL(url).origin;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let response: Response;
    try {
      response = await fetch(url, { method: 'HEAD', redirect: 'manual', headers: headersFor(url, req.token, authOrigin) });
    } catch (error) {
      throw networkError(req, error);
    }
    const location = response.headers.get('location');
    const isRedirect = response.status >= 300 && response.status < 400 && location !== null;
    const next = isRedirect ? new URL(location, url).toString() : undefined;
    if (next !== undefined && new URL(next).origin === authOrigin && !response.headers.get('x-linked-etag')) {
      url = next;
      continue;
    }
    if (!response.ok && !isRedirect) {
      const failure = httpError(req, response, revision);
      if (failure === 'missing') return 'missing';
      throw failure;
    }
    const commit = response.headers.get('x-repo-commit');
    const etag = normalizeEtag(response.headers.get('x-linked-etag') ?? response.headers.get('etag'));
    if (!commit || !etag || !/^[A-Za-z0-9_.-]+$/.test(etag)) {
      throw new CrossrankError(
        'ERR_HUB_DOWNLOAD',
        `The server at ${endpoint} sent no usable X-Repo-Commit / ETag for ${where(req)}; is HF_ENDPOINT a Hugging Face hub?`,
      );
    }
    const sizeHeader = response.headers.get('x-linked-size') ?? response.headers.get('content-length');
    const size = sizeHeader !== null && /^\d+$/.test(sizeHeader) ? Number(sizeHeader) : undefined;
    return { commit, etag, size, location: next ?? url };
  }
  throw new CrossrankError('ERR_HUB_DOWNLOAD', `Too many redirects while fetching ${where(req)}`);
}

/** GET with redirects followed by hand, so the Authorization header is dropped when the origin changes. */
async function get(req: HubRequest, url: string, authOrigin: string, extra: Record<string, string>, signal: AbortSignal): Promise<Response> {
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await fetch(url, { redirect: 'manual', headers: headersFor(url, req.token, authOrigin, extra), signal });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      url = new URL(location, url).toString();
      continue;
    }
    return response;
  }
  throw new CrossrankError('ERR_HUB_DOWNLOAD', `Too many redirects while fetching ${where(req)}`);
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Appends the file's bytes to `incomplete` (resuming with Range from what is there), retrying a cut connection.
 * Resolves once `incomplete` holds the whole file.
 */
async function fetchInto(
  req: HubRequest,
  meta: FileMetadata,
  authOrigin: string,
  incomplete: string,
  onProgress: ((p: HubProgress) => void) | undefined,
): Promise<void> {
  let lastError: unknown;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let have = fs.existsSync(incomplete) ? fs.statSync(incomplete).size : 0;
    if (meta.size !== undefined && have === meta.size) return;
    if (meta.size !== undefined && have > meta.size) {
      fs.rmSync(incomplete, { force: true });
      have = 0;
    }
    const controller = new AbortController();
    try {
      const range: Record<string, string> = have > 0 ? { range: `bytes=${have}-` } : {};
      const response = await get(req, meta.location, authOrigin, range, controller.signal);
      if (response.status === 416) {
        // The server has nothing past what we hold: start over rather than trust a file of unknown length.
        await response.body?.cancel();
        fs.rmSync(incomplete, { force: true });
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        const failure = httpError(req, response, meta.commit);
        throw failure === 'missing'
          ? new CrossrankError('ERR_HUB_NOT_FOUND', `${where(req)} disappeared during the download (HTTP 404)`)
          : failure;
      }
      // 200 to a Range request means the server sends the whole file again.
      const append = response.status === 206 && have > 0;
      if (!append) have = 0;
      const out = fs.createWriteStream(incomplete, { flags: append ? 'a' : 'w' });
      const done = new Promise<void>((resolve, reject) => {
        out.on('finish', resolve);
        out.on('error', reject);
      });
      let loaded = have;
      try {
        if (response.body) {
          for await (const chunk of response.body) {
            const bytes = chunk as Uint8Array;
            loaded += bytes.byteLength;
            if (!out.write(bytes)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
            onProgress?.({ file: req.file, loaded, total: meta.size });
          }
        }
      } finally {
        out.end();
        await done;
      }
      if (meta.size === undefined || loaded === meta.size) return;
      lastError = new Error(`the connection ended after ${loaded} of ${meta.size} bytes`);
    } catch (error) {
      if (error instanceof CrossrankError) throw error;
      controller.abort();
      lastError = error;
    }
  }
  throw networkError(req, lastError);
}

/**
 * Downloads a file's blob into `blobPath` unless it is already there: into `<blob>.incomplete` (resumed across
 * attempts and processes), verified against the sha256 ETag of LFS files, then renamed into place. One process at a
 * time per blob (see blob-lock.ts); the others wait and reuse its file.
 */
export async function downloadBlob(
  req: HubRequest,
  meta: FileMetadata,
  endpoint: string,
  blobPath: string,
  onProgress: ((p: HubProgress) => void) | undefined,
): Promise<void> {
  if (fs.existsSync(blobPath)) return;
  fs.mkdirSync(path.dirname(blobPath), { recursive: true });
  await withBlobLock(blobPath, () => fetchVerified(req, meta, new URL(endpoint).origin, blobPath, onProgress));
}

/** The download itself, under the blob's lock. */
async function fetchVerified(
  req: HubRequest,
  meta: FileMetadata,
  authOrigin: string,
  blobPath: string,
  onProgress: ((p: HubProgress) => void) | undefined,
): Promise<void> {
  const incomplete = `${blobPath}.incomplete`;
  const expected = SHA256.test(meta.etag) ? meta.etag : undefined;
  // A second try starts from zero: the bytes kept from before may be the bad ones.
  for (let verifyAttempt = 0; verifyAttempt < 2; verifyAttempt++) {
    await fetchInto(req, meta, authOrigin, incomplete, onProgress);
    const actual = expected ? await sha256Of(incomplete) : undefined;
    if (actual === expected) {
      fs.renameSync(incomplete, blobPath);
      return;
    }
    fs.rmSync(incomplete, { force: true });
    if (verifyAttempt === 1) {
      throw new CrossrankError(
        'ERR_HUB_DOWNLOAD',
        `${where(req)} failed verification twice: its sha256 is ${actual}, the hub's ETag says ${expected}. Nothing was cached.`,
      );
    }
  }
}
