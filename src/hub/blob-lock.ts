// A lock file per blob, so that processes sharing a hub cache (cluster workers, parallel CLIs) download a file once.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { CrossrankError } from '../errors';

const POLL_MS = 100;
/** A lock whose holder shows no sign of life (no lock touch, no write to the .incomplete file) for this long is stale. */
const STALE_MS = 60_000;
/** Grace for a lock just created and not yet written: its holder is about to write its pid. */
const WRITING_MS = 5_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

/** Whether the lock's holder may still be at work: false when it names a dead process of this host. */
function held(lockPath: string, stat: fs.Stats): boolean {
  try {
    const [pid, host] = fs.readFileSync(lockPath, 'utf8').split('\n');
    const n = Number(pid);
    if (!Number.isSafeInteger(n) || n <= 0) return Date.now() - stat.mtimeMs < WRITING_MS;
    // A pid of another host (a shared network folder) cannot be checked: only staleness frees it.
    return host !== os.hostname() || alive(n);
  } catch {
    return false;
  }
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

function lastProgress(lockPath: string, watched: string): number {
  return Math.max(statOf(lockPath)?.mtimeMs ?? 0, statOf(watched)?.mtimeMs ?? 0);
}

/**
 * Runs `work` holding `<blobPath>.lock` (created exclusively, holding pid and host). While another live process holds
 * it, waits, returning without running `work` if `blobPath` appears meanwhile. A lock left by a dead process, or with
 * no progress for a minute, is taken over.
 */
export async function withBlobLock(blobPath: string, work: () => Promise<void>): Promise<void> {
  const lockPath = `${blobPath}.lock`;
  const incomplete = `${blobPath}.incomplete`;
  for (;;) {
    if (fs.existsSync(blobPath)) return;
    let handle: fs.promises.FileHandle | undefined;
    try {
      handle = await fs.promises.open(lockPath, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CrossrankError('ERR_HUB_DOWNLOAD', `Cannot create the lock ${lockPath}: ${(error as Error).message}`, { cause: error });
      }
    }
    if (handle) {
      try {
        await handle.writeFile(`${process.pid}\n${os.hostname()}\n`);
        await handle.close();
        // Fresh while this process lives, even when no bytes flow (connecting, a read fetch's own timeouts end): waiters
        // take over only from a dead or frozen holder.
        const touch = setInterval(() => fs.utimes(lockPath, new Date(), new Date(), () => undefined), STALE_MS / 4);
        touch.unref();
        try {
          if (!fs.existsSync(blobPath)) await work(); // another process may have finished just before we locked
        } finally {
          clearInterval(touch);
        }
      } finally {
        fs.rmSync(lockPath, { force: true });
      }
      return;
    }
    const stat = statOf(lockPath);
    if (!stat) continue; // released just now
    if (!held(lockPath, stat) || Date.now() - lastProgress(lockPath, incomplete) > STALE_MS) {
      // Dead or stuck holder: take over (its .incomplete is resumed), unless another waiter already replaced the lock.
      if (statOf(lockPath)?.ino === stat.ino) fs.rmSync(lockPath, { force: true });
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
