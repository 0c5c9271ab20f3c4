// The Hugging Face cache layout (models--org--name/{blobs,snapshots/<commit>,refs/<revision>}), shared with Python tools.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** huggingface_hub's default: HF_HUB_CACHE, else HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const hubCache = env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE;
  if (hubCache) return expandHome(hubCache);
  return path.join(hfHome(env), 'hub');
}

export function hfHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HOME) return expandHome(env.HF_HOME);
  return path.join(env.XDG_CACHE_HOME ? expandHome(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache'), 'huggingface');
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/** A token from HF_TOKEN, the legacy HUGGING_FACE_HUB_TOKEN, or the file `huggingface-cli login` writes. */
export function defaultToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN;
  if (fromEnv) return fromEnv.trim();
  const file = env.HF_TOKEN_PATH ? expandHome(env.HF_TOKEN_PATH) : path.join(hfHome(env), 'token');
  try {
    const token = fs.readFileSync(file, 'utf8').trim();
    return token.length > 0 ? token : undefined;
  } catch {
    return undefined;
  }
}

/** Paths of one model repo in the cache; every name passed in has been validated by repo-id.ts. */
export class RepoCache {
  readonly root: string;

  constructor(cacheDir: string, repoId: string) {
    this.root = path.join(cacheDir, `models--${repoId.split('/').join('--')}`);
  }

  blobPath(etag: string): string {
    return path.join(this.root, 'blobs', etag);
  }

  snapshotDir(commit: string): string {
    return path.join(this.root, 'snapshots', commit);
  }

  snapshotPath(commit: string, filename: string): string {
    return path.join(this.snapshotDir(commit), ...filename.split('/'));
  }

  /** The commit a branch or tag pointed to when last fetched; undefined when never fetched. */
  readRef(revision: string): string | undefined {
    try {
      const commit = fs.readFileSync(path.join(this.root, 'refs', ...revision.split('/')), 'utf8').trim();
      return commit.length > 0 ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  writeRef(revision: string, commit: string): void {
    if (revision === commit) return;
    const file = path.join(this.root, 'refs', ...revision.split('/'));
    if (this.readRef(revision) === commit) return;
    writeAtomic(file, commit);
  }

  /** huggingface_hub's marker for a file the hub said does not exist at this commit. */
  noExistPath(commit: string, filename: string): string {
    return path.join(this.root, '.no_exist', commit, ...filename.split('/'));
  }

  markMissing(commit: string, filename: string): void {
    const marker = this.noExistPath(commit, filename);
    fs.mkdirSync(path.dirname(marker), { recursive: true });
    fs.closeSync(fs.openSync(marker, 'a'));
  }

  isMarkedMissing(commit: string, filename: string): boolean {
    return fs.existsSync(this.noExistPath(commit, filename));
  }

  /** Points snapshots/<commit>/<filename> at the blob: a relative symlink, or a copy where symlinks fail (Windows). */
  linkSnapshot(commit: string, filename: string, etag: string): string {
    const target = this.snapshotPath(commit, filename);
    const blob = this.blobPath(etag);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (pointsAt(target, blob)) return target;
    const temp = tempName(target);
    try {
      fs.symlinkSync(path.relative(path.dirname(target), blob), temp);
    } catch {
      fs.copyFileSync(blob, temp);
    }
    try {
      fs.renameSync(temp, target);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
    return target;
  }
}

function pointsAt(link: string, blob: string): boolean {
  try {
    return fs.realpathSync(link) === fs.realpathSync(blob);
  } catch {
    return false;
  }
}

/** A sibling name no other writer uses, so a rename onto `file` is the only visible step. */
export function tempName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

export function writeAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = tempName(file);
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, file);
}
