// The test world for sandbox networking, made of network namespaces this test creates and removes:
//
//   sandboxes ── veth ── [runner host: bridge, nftables, resolver] ── 10.201.0.0/30 ── [router]
//                                                                                       │ 203.0.113.0/24
//                                                                           [internet: HTTP on :80 at
//                                                                            several addresses, DNS at .53,
//                                                                            169.254.169.254 "metadata"]
//
// Every process that talks across them is started with `ip netns exec`. Names carry a per-run
// suffix, and remove() takes everything down (also after a failure).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const INTERNET = {
  dns: "203.0.113.53",
  allowed: "203.0.113.11", // allowed.test
  denied: "203.0.113.12", // denied.test
  wildA: "203.0.113.13", // a.wild.test
  wildB: "203.0.113.14", // b.wild.test
  other: "203.0.113.15", // other.test
  pkgs: "203.0.113.16", // pkgs.test: a package server (files put in the world's `files` directory)
  metadata: "169.254.169.254",
};
export const ROUTER_UPLINK = "10.201.0.1";
export const HOST_UPLINK = "10.201.0.2";

const sh = (args: string[]) => execFileSync(args[0], args.slice(1), { stdio: ["ignore", "pipe", "pipe"] }).toString();
const quiet = (args: string[]) => {
  try {
    return sh(args);
  } catch {
    return "";
  }
};

/** `files`: the directory the internet's HTTP servers serve (on every address, port 80). */
export type NetworkWorld = { host: string; router: string; internet: string; files: string; remove: () => void; exec: (ns: string, cmd: string[]) => string };

export function createNetworkWorld(): NetworkWorld {
  const tag = randomBytes(3).toString("hex");
  const host = `bt-host-${tag}`;
  const router = `bt-rtr-${tag}`;
  const internet = `bt-net-${tag}`;
  const children: ChildProcess[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), "burrow-networld-"));
  const exec = (ns: string, cmd: string[]) => sh(["ip", "netns", "exec", ns, ...cmd]);
  const bg = (ns: string, cmd: string[]) => {
    const child = spawn("ip", ["netns", "exec", ns, ...cmd], { stdio: "ignore", cwd: dir });
    children.push(child);
  };
  const remove = () => {
    for (const c of children) c.kill("SIGKILL");
    for (const ns of [host, router, internet]) quiet(["ip", "netns", "del", ns]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const ns of [host, router, internet]) {
      sh(["ip", "netns", "add", ns]);
      sh(["ip", "-n", ns, "link", "set", "lo", "up"]);
    }
    sh(["ip", "-n", host, "link", "add", "up0", "type", "veth", "peer", "name", "down0", "netns", router]);
    sh(["ip", "-n", router, "link", "add", "out0", "type", "veth", "peer", "name", "eth0", "netns", internet]);
    sh(["ip", "-n", host, "addr", "add", `${HOST_UPLINK}/30`, "dev", "up0"]);
    sh(["ip", "-n", router, "addr", "add", `${ROUTER_UPLINK}/30`, "dev", "down0"]);
    sh(["ip", "-n", router, "addr", "add", "203.0.113.1/24", "dev", "out0"]);
    for (const a of ["203.0.113.10/24", `${INTERNET.dns}/24`, `${INTERNET.allowed}/24`, `${INTERNET.denied}/24`, `${INTERNET.wildA}/24`, `${INTERNET.wildB}/24`, `${INTERNET.other}/24`, `${INTERNET.pkgs}/24`, `${INTERNET.metadata}/32`]) {
      sh(["ip", "-n", internet, "addr", "add", a, "dev", "eth0"]);
    }
    for (const [ns, dev] of [[host, "up0"], [router, "down0"], [router, "out0"], [internet, "eth0"]]) sh(["ip", "-n", ns, "link", "set", dev, "up"]);
    sh(["ip", "-n", host, "route", "add", "default", "via", ROUTER_UPLINK]);
    // A "metadata service" the host could reach: only the firewall keeps sandboxes from it.
    sh(["ip", "-n", router, "route", "add", `${INTERNET.metadata}/32`, "via", "203.0.113.10"]);
    sh(["ip", "-n", internet, "route", "add", "default", "via", "203.0.113.1"]);
    exec(router, ["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    writeFileSync(path.join(dir, "index.html"), "hello from the internet\n");
    bg(internet, ["python3", "-m", "http.server", "80", "--bind", "0.0.0.0"]);
    bg(internet, ["python3", path.join(import.meta.dirname, "dns-responder.py"), INTERNET.dns,
      `allowed.test=${INTERNET.allowed}`, `denied.test=${INTERNET.denied}`, `a.wild.test=${INTERNET.wildA}`, `b.wild.test=${INTERNET.wildB}`, `other.test=${INTERNET.other}`, `pkgs.test=${INTERNET.pkgs}`]);
    // What must stay out of reach: the runner host's ports (web app, Postgres, runner), its
    // loopback, and a server on the runner's own uplink network.
    bg(host, ["python3", "-m", "http.server", "3000", "--bind", "0.0.0.0"]);
    bg(host, ["python3", "-m", "http.server", "5432", "--bind", "0.0.0.0"]);
    bg(host, ["python3", "-m", "http.server", "9999", "--bind", "127.0.0.1"]);
    bg(router, ["python3", "-m", "http.server", "80", "--bind", ROUTER_UPLINK]);
  } catch (e) {
    remove();
    throw e;
  }
  return { host, router, internet, files: dir, remove, exec };
}
