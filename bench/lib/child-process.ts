// Runs one measured path in a fresh child process, so each path has its own memory peak and no other session beside it.
import { fork } from 'node:child_process';

const TASK_ENV = 'CROSSRANK_BENCH_TASK';

type Reply<R> = { ok: true; result: R } | { ok: false; error: string };

/** Forks `script` with this process's flags and loader (e.g. tsx) and `task`; resolves with what the child's handler returned. */
export function runInChild<T, R>(script: string, task: T): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const child = fork(script, process.argv.slice(2), {
      execArgv: process.execArgv,
      env: { ...process.env, [TASK_ENV]: JSON.stringify(task) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let reply: Reply<R> | undefined;
    child.on('message', (m) => (reply = m as Reply<R>));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (reply?.ok) resolve(reply.result);
      else reject(new Error(reply?.error ?? `child exited with ${signal ?? code} before replying`));
    });
  });
}

/** In a child: runs `handler` on the task and sends back its result, then exits. Returns false in the parent. */
export function serveChildTask<T, R>(handler: (task: T) => Promise<R>): boolean {
  const raw = process.env[TASK_ENV];
  if (raw === undefined) return false;
  const send = (reply: Reply<R>): void => {
    process.send?.(reply, () => process.exit(0));
  };
  handler(JSON.parse(raw) as T).then(
    (result) => send({ ok: true, result }),
    (error: unknown) => send({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
  return true;
}
