// The runner's side of the sandbox OTLP relay: one daemon (relay-daemon-script.ts) that listens on
// 127.0.0.1:4318 inside every running sandbox's network namespace and copies connections to the
// runner's unix socket (otlp-forwarder.ts). Only a listening socket is placed in the namespace;
// the sandbox gains no other route out. The set follows the runner's live sandboxes: added when
// one starts (before it is reported running), replaced when its init changed (a wake makes a new
// container), removed when it is gone, so no namespace is kept alive by a stale listener.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { SANDBOX_OTLP_PORT } from "../session-token";
import { RELAY_DAEMON } from "./relay-daemon-script";

const ANSWER_TIMEOUT_MS = 3000;

export class SandboxOtlpRelays {
  private daemon: ChildProcess | null = null;
  /** Session → the init pid its listener was made for. */
  private readonly listening = new Map<string, number>();
  /** The daemon answers commands in order: one resolver per command sent. */
  private readonly waiting: ((answer: string) => void)[] = [];
  private warned = false;

  constructor(private readonly opts: {
    socketPath: string;
    /** The sandbox's directory (SandboxPaths.root), where init.pid names its init's host pid. */
    rootOf: (sessionId: string) => string;
    python?: string;
    log?: (m: string) => void;
  }) {}

  /** Makes the listeners match `sessionIds` (the sandboxes that should be reachable now). */
  async sync(sessionIds: string[]): Promise<void> {
    const wanted = new Set(sessionIds);
    for (const id of [...this.listening.keys()]) if (!wanted.has(id)) await this.remove(id);
    for (const id of wanted) await this.ensure(id);
  }

  /** A listener in the sandbox's namespace, made now if it has none (or its init changed). */
  async ensure(sessionId: string): Promise<boolean> {
    const pid = this.initPid(sessionId);
    if (!pid) {
      if (this.listening.has(sessionId)) await this.remove(sessionId);
      return false;
    }
    if (this.listening.get(sessionId) === pid) return true;
    const answer = await this.send(`add ${sessionId} ${pid}`);
    if (answer.startsWith("ok")) this.listening.set(sessionId, pid);
    else this.opts.log?.(`OTLP relay for ${sessionId}: ${answer || "no answer"}`);
    return answer.startsWith("ok");
  }

  get size(): number {
    return this.listening.size;
  }

  close(): void {
    this.daemon?.kill("SIGKILL");
    this.daemon = null;
    this.listening.clear();
  }

  private async remove(sessionId: string) {
    this.listening.delete(sessionId);
    await this.send(`remove ${sessionId}`);
  }

  private initPid(sessionId: string): number {
    try {
      const pid = Number(readFileSync(path.join(this.opts.rootOf(sessionId), "init.pid"), "utf8").trim());
      return pid > 0 && existsSync(`/proc/${pid}/ns/net`) ? pid : 0;
    } catch {
      return 0;
    }
  }

  private send(command: string): Promise<string> {
    const daemon = this.running();
    if (!daemon) return Promise.resolve("");
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // A daemon that stops answering is replaced; its pending commands get no answer.
        this.opts.log?.("OTLP relay daemon did not answer; restarting it");
        daemon.kill("SIGKILL");
      }, ANSWER_TIMEOUT_MS);
      this.waiting.push((answer) => (clearTimeout(timer), resolve(answer)));
      daemon.stdin?.write(`${command}\n`);
    });
  }

  private running(): ChildProcess | null {
    if (this.daemon && this.daemon.exitCode === null && this.daemon.signalCode === null) return this.daemon;
    const python = this.opts.python ?? "/usr/bin/python3";
    if (!existsSync(python)) {
      if (!this.warned) this.opts.log?.(`OTLP relay disabled: ${python} is missing`);
      this.warned = true;
      return null;
    }
    const daemon = spawn(python, ["-c", RELAY_DAEMON, this.opts.socketPath, String(SANDBOX_OTLP_PORT)], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    daemon.stderr?.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
    daemon.on("error", (e) => this.opts.log?.(`OTLP relay daemon: ${e.message}`));
    daemon.on("exit", (code, signal) => {
      if (this.daemon !== daemon) return;
      this.daemon = null;
      this.listening.clear(); // its listeners went with it; the next sync makes them again
      for (const waiter of this.waiting.splice(0)) waiter("");
      if (code !== 0) this.opts.log?.(`OTLP relay daemon exited (${code ?? signal}): ${stderr.trim().split("\n").pop() ?? ""}`);
    });
    createInterface({ input: daemon.stdout! }).on("line", (line) => {
      if (line !== "ready" && this.daemon === daemon) this.waiting.shift()?.(line);
    });
    daemon.stdin?.on("error", () => {});
    this.daemon = daemon;
    return daemon;
  }
}
