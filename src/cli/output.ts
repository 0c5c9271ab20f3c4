// Where results go: a file or stdout, written in whole lines so an interrupted run leaves a valid prefix.
import * as fs from 'node:fs';
import { UsageError } from './args';

export interface LineWriter {
  /** Writes text made of complete lines (each ending in '\n'). */
  write(lines: string): void;
  /** Flushes and closes; stdout is flushed but left open. */
  close(): Promise<void>;
}

function fileWriter(file: string): LineWriter {
  let fd: number;
  try {
    fd = fs.openSync(file, 'w');
  } catch (error) {
    throw new UsageError(`Cannot write ${file}: ${(error as Error).message}`);
  }
  let open = true;
  return {
    write(lines) {
      const bytes = Buffer.from(lines, 'utf8');
      for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done);
    },
    async close() {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}

function stdoutWriter(): LineWriter {
  return {
    write(lines) {
      process.stdout.write(lines);
    },
    close() {
      // An empty write's callback runs once everything queued before it is flushed.
      return new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
    },
  };
}

/** A writer for `file`, or for stdout when no file (or '-') is given. */
export function openOutput(file: string | undefined): LineWriter {
  return file === undefined || file === '-' ? stdoutWriter() : fileWriter(file);
}
