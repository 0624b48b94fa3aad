// `ip` and `nft` on the runner's network host: the runner's own namespace, or a named one
// (SANDBOX_NET_HOST_NETNS: a dedicated namespace, and how the tests build a host of their own).
import { spawn } from "node:child_process";

export type CommandResult = { exitCode: number; stdout: string; stderr: string };

export function run(cmd: string, args: string[], input?: string, timeoutMs = 10_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ exitCode: 127, stdout, stderr: e.message });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? 1, stdout, stderr });
    });
    child.stdin.on("error", () => {}); // the command exited before reading: its exit code says why
    child.stdin.end(input ?? "");
  });
}

export class NetworkCommandError extends Error {}

export function hostCommands(hostNetns: string | null) {
  const inHost = (cmd: string, args: string[]) => (hostNetns ? ["ip", ["netns", "exec", hostNetns, cmd, ...args]] as const : [cmd, args] as const);
  const must = async (what: string, p: Promise<CommandResult>) => {
    const r = await p;
    if (r.exitCode !== 0) throw new NetworkCommandError(`${what}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
    return r.stdout;
  };
  return {
    /** `ip` in the host namespace (`ip -n`), failing loudly. */
    ip: (...args: string[]) => must(`ip ${args.join(" ")}`, run("ip", hostNetns ? ["-n", hostNetns, ...args] : args)),
    /** `ip` in the host namespace, for removals that may find nothing. */
    ipQuiet: (...args: string[]) => run("ip", hostNetns ? ["-n", hostNetns, ...args] : args),
    /** An `nft -f -` script in the host namespace: all of it or none of it applies. */
    nft: (script: string) => {
      const [cmd, args] = inHost("nft", ["-f", "-"]);
      return must("nft", run(cmd, [...args], script));
    },
    nftQuiet: (command: string) => {
      const [cmd, args] = inHost("nft", ["-f", "-"]);
      return run(cmd, [...args], `${command}\n`);
    },
    /** A command run in the host namespace (the resolver daemon's argv, for instance). */
    argv: (cmd: string, args: string[]) => inHost(cmd, args),
    /** Writes a /proc/sys value in the host namespace. */
    sysctl: (name: string, value: string) => {
      const [cmd, args] = inHost("sysctl", ["-qw", `${name}=${value}`]);
      return must(`sysctl ${name}`, run(cmd, [...args]));
    },
  };
}
export type HostCommands = ReturnType<typeof hostCommands>;
