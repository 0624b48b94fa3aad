// The process supervision of `npm start`: runs the web app and the workers as children and keeps a
// simple promise, "all or nothing". A child that exits for any reason (an exit code, or a signal
// such as kill -9 or the OOM killer, when exitCode is null) stops every other child and then the
// parent exits non-zero, so the service manager (systemd: Restart=on-failure) restarts the stack.
// SIGTERM / SIGINT stop every child and then call `onStopped` (the embedded Postgres) and exit 0.
// If the parent itself is killed with SIGKILL, the children get SIGTERM from the kernel
// (PR_SET_PDEATHSIG, through util-linux `setpriv`); workers also exit when their parent changes.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";

export type SupervisedChild = { name: string; command: string; args: string[] };

export type Supervisor = {
  run: (child: SupervisedChild) => ChildProcess;
  stopAll: (code: number, why: string) => Promise<never>;
};

/** After this long, a child that ignored SIGTERM gets SIGKILL. */
const STOP_GRACE_MS = 20_000;

const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

let setprivPath: string | null | undefined;
function setpriv(): string | null {
  if (setprivPath === undefined) {
    const probe = spawnSync("setpriv", ["--pdeathsig", "TERM", "--", "true"], { stdio: "ignore" });
    setprivPath = probe.status === 0 ? "setpriv" : null;
  }
  return setprivPath;
}

export function superviseChildren(opts: {
  env: NodeJS.ProcessEnv;
  log: (msg: string) => void;
  onStopped?: () => Promise<void>;
  stdio?: "inherit" | "ignore";
}): Supervisor {
  const children: ChildProcess[] = [];
  let stopping: Promise<never> | null = null;
  // Workers compare this with their parent pid and stop when it changes (the parent is gone).
  const env = { ...opts.env, BURROW_PARENT_PID: String(process.pid) };

  const stopAll = (code: number, why: string): Promise<never> => {
    stopping ??= (async () => {
      opts.log(`shutting down (${why})`);
      for (const child of children) if (alive(child)) child.kill("SIGTERM");
      const killer = setTimeout(() => {
        for (const child of children) if (alive(child)) child.kill("SIGKILL");
      }, STOP_GRACE_MS);
      await Promise.all(children.map((c) => (alive(c) ? new Promise((r) => c.once("exit", r)) : null)));
      clearTimeout(killer);
      await opts.onStopped?.().catch((e) => opts.log(`stopping: ${(e as Error).message}`));
      opts.log("stopped");
      process.exit(code);
    })();
    return stopping;
  };

  const run = ({ name, command, args }: SupervisedChild) => {
    const wrapper = setpriv();
    const child = wrapper
      ? spawn(wrapper, ["--pdeathsig", "TERM", "--", command, ...args], { env, stdio: opts.stdio ?? "inherit" })
      : spawn(command, args, { env, stdio: opts.stdio ?? "inherit" });
    child.once("exit", (code, signal) => {
      if (!stopping) void stopAll(1, `${name} exited (${signal ? `killed by ${signal}` : `code ${code}`})`);
    });
    children.push(child);
    return child;
  };

  process.on("SIGINT", () => void stopAll(0, "SIGINT"));
  process.on("SIGTERM", () => void stopAll(0, "SIGTERM"));
  // Under `npm start` our parent is tsx (under npm): if it is killed without passing the signal on,
  // we are re-parented, and stop the stack rather than run on unsupervised.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) void stopAll(1, `parent process ${parent} is gone`);
  }, 1_000);
  watch.unref();
  return { run, stopAll };
}
