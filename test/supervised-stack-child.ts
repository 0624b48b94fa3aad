// A stand-in for `npm start` in test/start-supervision.int.test.ts: the real supervisor with two
// long-running children, printing their pids. `onStopped` stands for stopping the embedded Postgres.
import { superviseChildren } from "../scripts/supervise-children";

const sleeper = ["-e", "setInterval(() => {}, 1000)"];
const { run } = superviseChildren({
  env: process.env,
  log: (msg) => console.log(`[stack] ${msg}`),
  onStopped: async () => console.log("[stack] database stopped"),
  stdio: "ignore",
});
const a = run({ name: "web", command: process.execPath, args: sleeper });
const b = run({ name: "runner", command: process.execPath, args: sleeper });
console.log(JSON.stringify({ children: [a.pid, b.pid] }));
