// The sandbox resolver as its own process, started by the runner inside its network host
// (`ip netns exec` when that is a named namespace). Commands on stdin, one a line, each answered
// "ok" on stdout: `reload [session ids whose denied domains to look up now]`. Flight recorder events
// are lines `event <json>` on stdout. Exits with stdin (its runner is gone).
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { startResolver } from "./resolver";

const { values } = parseArgs({ options: { listen: { type: "string" }, upstream: { type: "string" }, table: { type: "string" }, records: { type: "string" }, "log-group": { type: "string" }, queue: { type: "string" } } });
const log = (m: string) => process.stderr.write(`${m}\n`);

async function main() {
  const resolver = await startResolver({
    listen: values.listen!, upstreams: (values.upstream ?? "").split(",").filter(Boolean), table: values.table!, recordsDir: values.records!, log,
    logGroup: values["log-group"] ? Number(values["log-group"]) : null,
    queue: values.queue ? Number(values.queue) : null,
    // The flight recorder's events go to the runner on stdout, one a line, beside the "ok"s.
    onEvent: (e) => process.stdout.write(`event ${JSON.stringify(e)}\n`),
  });
  await resolver.reload("all");
  process.stdout.write("ready\n");
  const lines = createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  lines.on("line", (line) => {
    const [cmd, ...args] = line.trim().split(/\s+/);
    queue = queue.then(async () => {
      if (cmd === "reload") await resolver.reload(args).catch((e) => log(`reload: ${(e as Error).message}`));
      process.stdout.write("ok\n");
    });
  });
  lines.on("close", () => {
    resolver.close();
    process.exit(0);
  });
}

main().catch((e) => {
  log(`resolver: ${(e as Error).message}`);
  process.exit(1);
});
