// Ctrl-C handling: the first SIGINT aborts the command's work through an AbortSignal, a second one exits at once.
import { CrossrankError } from '../errors';

/** Exit code of a process stopped by SIGINT (128 + 2), as shells report it. */
export const EXIT_INTERRUPTED = 130;

export interface Interrupt {
  signal: AbortSignal;
  dispose(): void;
}

export function onInterrupt(): Interrupt {
  const controller = new AbortController();
  const handler = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    process.stderr.write('\ncrossrank: interrupted; stopping (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', handler);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', handler) };
}

/** True for the error a scoring call rejects with once its signal aborted. */
export function isAbort(error: unknown): boolean {
  return error instanceof CrossrankError && error.code === 'ERR_ABORTED';
}
