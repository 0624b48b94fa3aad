// Can this host run sandboxes? The runner asks once at start and reports the answer instead of
// failing every session later. Each failure names what to install or change.
import fs from "node:fs/promises";
import { missingBinaryMessage, runCommand } from "./run-runtime";

export type RuntimeCheck = { ok: true; version: string } | { ok: false; message: string };

export async function checkRuntime(binary = "runc"): Promise<RuntimeCheck> {
  let version: string;
  try {
    const result = await runCommand(binary, ["--version"], { timeoutMs: 10_000 });
    if (result.exitCode !== 0) return { ok: false, message: `${binary} --version failed: ${(result.stderr || result.stdout).trim()}` };
    version = result.stdout.trim().split("\n")[0] ?? binary;
  } catch {
    return { ok: false, message: missingBinaryMessage(binary) };
  }
  // runc needs root for cgroups, namespaces and the overlay mount (rootless mode is not supported here).
  if (process.getuid?.() !== 0) return { ok: false, message: `${binary} sandboxes need the runner to run as root` };
  const filesystems = await fs.readFile("/proc/filesystems", "utf8").catch(() => "");
  if (!/\boverlay\b/.test(filesystems)) {
    // The module may just not be loaded yet; mount(8) loads it on first use, so try that path too.
    const probe = await runCommand("modprobe", ["overlay"]).catch(() => null);
    if (!probe || probe.exitCode !== 0) return { ok: false, message: "overlayfs is not available: modprobe overlay (kernel module overlay)" };
  }
  const mount = await runCommand("mount", ["--version"]).catch(() => null);
  if (!mount || mount.exitCode !== 0) return { ok: false, message: missingBinaryMessage("mount") };
  return { ok: true, version };
}
