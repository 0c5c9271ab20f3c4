// Validates hub repo ids, revisions and file names so that none can escape the cache folder or the resolve URL.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrossrankError } from '../errors';

// huggingface_hub's rule: [\w.-] names, no "--" or "..", no leading/trailing "-" or ".", at most 96 characters.
const NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const COMMIT = /^[0-9a-f]{40}$/;

function invalid(what: string, value: string, why: string): CrossrankError {
  return new CrossrankError('ERR_INVALID_REPO_ID', `Invalid ${what} ${JSON.stringify(value)}: ${why}`);
}

/** True when `idOrDir` names a local folder: it exists, or it is written as a path (absolute, `.`, `~`). */
export function isLocalPath(idOrDir: string): boolean {
  return (
    fs.existsSync(idOrDir) ||
    idOrDir.startsWith('.') ||
    idOrDir.startsWith('~') ||
    path.isAbsolute(idOrDir) ||
    path.win32.isAbsolute(idOrDir) ||
    !idOrDir.includes('/')
  );
}

/** Checks an `org/name` repo id; throws ERR_INVALID_REPO_ID. */
export function validateRepoId(repoId: string): string {
  if (repoId.length > 96) throw invalid('repo id', repoId, 'longer than 96 characters');
  if (repoId.includes('\\')) throw invalid('repo id', repoId, 'backslashes are not allowed');
  const parts = repoId.split('/');
  if (parts.length !== 2) throw invalid('repo id', repoId, "expected 'org/name'");
  for (const part of parts) {
    if (part.includes('..') || part.includes('--')) throw invalid('repo id', repoId, "'..' and '--' are not allowed");
    if (!NAME.test(part)) {
      throw invalid('repo id', repoId, "each part may hold only letters, digits, '_', '-' and '.', not at its ends");
    }
  }
  if (repoId.endsWith('.git')) throw invalid('repo id', repoId, "it may not end with '.git'");
  return repoId;
}

/** Checks a relative POSIX path inside the repo (a file name or a revision such as `refs/pr/1`). */
function validateRelative(what: string, value: string): string {
  if (value.length === 0) throw invalid(what, value, 'it is empty');
  if (value.includes('\\')) throw invalid(what, value, 'backslashes are not allowed');
  // Control characters and Windows-reserved characters could alias another file on some file system.
  if (/[\u0000-\u001f\u007f:*?"<>|]/.test(value)) throw invalid(what, value, 'it holds a control or reserved character');
  if (value.startsWith('/') || path.win32.isAbsolute(value)) throw invalid(what, value, 'absolute paths are not allowed');
  for (const segment of value.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw invalid(what, value, "empty, '.' and '..' path segments are not allowed");
    }
  }
  return value;
}

export function validateFilename(filename: string): string {
  return validateRelative('file name', filename);
}

export function validateRevision(revision: string): string {
  return validateRelative('revision', revision);
}

export function isCommitHash(revision: string): boolean {
  return COMMIT.test(revision);
}
