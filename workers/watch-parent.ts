// A worker started by `npm start` stops when its parent is gone (re-parented to init or a
// subreaper), so a parent killed with SIGKILL leaves no worker running on its own. Backs up the
// kernel's parent-death signal, which `npm start` asks for where util-linux `setpriv` exists.
import { env } from "../lib/env";

const CHECK_EVERY_MS = 1_000;

export function stopWhenParentGone(stop: () => void, log: (msg: string) => void): void {
  const parent = env.BURROW_PARENT_PID;
  if (!parent) return;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    log(`parent process ${parent} is gone; stopping`);
    stop();
  }, CHECK_EVERY_MS);
  timer.unref();
}
