// Runs the NFQUEUE reader (nfqueue-reader.py) for the resolver and answers its packets with the
// flow inspector's verdicts: accepted with MARK_ALLOWED or MARK_DENIED, which the firewall turns
// into the connection's decision. Fail closed: while the reader is not running the kernel holds or
// drops the queued packets (the queue rule has no bypass), and the reader is started again.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createFlowInspector, type NameInspectionEvent, type PacketVerdict } from "./name-inspection";
import { MARK_ALLOWED, MARK_DENIED } from "./nft-ruleset";
import type { EgressPolicy } from "./schemas";

const TICK_MS = 200;
const RESTART_MS = 500;

export type NameInspectorOptions = {
  queue: number;
  policyOf: (src: string) => EgressPolicy | null;
  onDecision: (e: NameInspectionEvent) => void;
  log: (m: string) => void;
};

export function startNameInspector(opts: NameInspectorOptions) {
  const flows = createFlowInspector({ policyOf: opts.policyOf, onDecision: opts.onDecision });
  let reader: ChildProcess | null = null;
  let closed = false;
  let restartTimer: NodeJS.Timeout | null = null;

  const send = (verdicts: PacketVerdict[]) => {
    if (!verdicts.length || !reader?.stdin?.writable) return;
    reader.stdin.write(verdicts.map((v) => `a ${v.id} ${v.verdict === "denied" ? MARK_DENIED : MARK_ALLOWED}\n`).join(""));
  };

  function line(text: string) {
    const [kind, ...f] = text.split(" ");
    if (kind === "p" && f.length === 7) {
      const [id, src, sport, dst, dport, seq, hex] = f;
      send(flows.packet({ id: Number(id), src, sport: Number(sport), dst, dport: Number(dport), seq: Number(seq), payload: Buffer.from(hex, "hex") }, Date.now()));
    } else if (kind === "s" && f.length === 5) {
      const [src, sport, dst, dport, seq] = f;
      flows.start({ src, sport: Number(sport), dst, dport: Number(dport), seq: Number(seq) }, Date.now());
    } else if (kind === "overrun") opts.log("name inspection: the kernel dropped queued packets the reader was too slow for");
  }

  function startReader() {
    restartTimer = null;
    if (closed) return;
    flows.reset(); // what an earlier reader held was dropped with it
    // -B: the readers import nfnetlink.py, and no __pycache__ is written into the source tree (which may be read-only).
    const child = spawn("python3", ["-B", fileURLToPath(new URL("./nfqueue-reader.py", import.meta.url)), String(opts.queue)], { stdio: ["pipe", "pipe", "pipe"] });
    reader = child;
    child.on("error", (e) => opts.log(`name inspection: ${e.message}`));
    child.stdin?.on("error", () => {});
    child.stderr?.on("data", (d) => opts.log(`name inspection: ${String(d).trim()}`));
    createInterface({ input: child.stdout! }).on("line", line);
    child.once("exit", (code, signal) => {
      if (reader === child) reader = null;
      if (closed) return;
      opts.log(`name inspection: the queue reader exited (${code ?? signal}); starting it again`);
      restartTimer = setTimeout(startReader, RESTART_MS);
    });
  }

  startReader();
  const tick = setInterval(() => send(flows.tick(Date.now())), TICK_MS);
  tick.unref();

  return {
    close() {
      closed = true;
      clearInterval(tick);
      if (restartTimer) clearTimeout(restartTimer);
      reader?.kill("SIGTERM");
    },
    /** The reader's pid (tests stop it to see the queue fail closed). */
    readerPid: () => reader?.pid ?? null,
  };
}
