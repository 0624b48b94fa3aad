// The TCP ports a sandbox listens on, from /proc/<pid>/net/tcp and tcp6 of a process inside its
// network namespace (the files show that namespace's sockets, whoever reads them). Nothing is run
// inside the sandbox, so a paused (frozen) sandbox answers too.
import fs from "node:fs/promises";

export type ListeningPort = {
  port: number;
  /** The bound address: 0.0.0.0 or :: (every address), 127.0.0.1, … */
  address: string;
  /** Reachable through the sandbox's network address (bound to every address, or to a non-loopback one). */
  reachable: boolean;
};

const TCP_LISTEN = "0A";

function ipv4Of(hex: string): string {
  // Little-endian on the hosts we run on (x86-64, arm64).
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(".");
}

function ipv6Of(hex: string): string {
  const words: string[] = [];
  for (let w = 0; w < 4; w++) {
    const group = hex.slice(w * 8, w * 8 + 8);
    const bytes = [6, 4, 2, 0].map((i) => group.slice(i, i + 2)).join("");
    words.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  const text = words.map((x) => parseInt(x, 16).toString(16)).join(":");
  if (/^0(:0){7}$/.test(text)) return "::";
  if (text === "0:0:0:0:0:0:0:1") return "::1";
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(text);
  if (mapped) {
    const n = (parseInt(mapped[1], 16) << 16) | parseInt(mapped[2], 16);
    return `::ffff:${[24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".")}`;
  }
  return text;
}

const isLoopback = (a: string) => a.startsWith("127.") || a === "::1" || a.startsWith("::ffff:127.");

/** Listening sockets of one /proc/net/tcp{,6} text. */
export function parseProcNetTcp(text: string, family: 4 | 6): ListeningPort[] {
  const out: ListeningPort[] = [];
  for (const line of text.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[3] !== TCP_LISTEN) continue;
    const [addrHex, portHex] = cols[1].split(":");
    const address = family === 4 ? ipv4Of(addrHex) : ipv6Of(addrHex);
    out.push({ port: parseInt(portHex, 16), address, reachable: !isLoopback(address) });
  }
  return out;
}

/** Every listening TCP port of the namespace `pid` is in, sorted by port; one entry per port and address. */
export async function readListeningPorts(pid: number): Promise<ListeningPort[]> {
  const [v4, v6] = await Promise.all([4, 6].map((f) => fs.readFile(`/proc/${pid}/net/tcp${f === 6 ? "6" : ""}`, "utf8").catch(() => "")));
  const all = [...parseProcNetTcp(v4, 4), ...parseProcNetTcp(v6, 6)];
  const seen = new Set<string>();
  return all.filter((p) => {
    const key = `${p.port}/${p.address}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }).sort((a, b) => a.port - b.port || a.address.localeCompare(b.address));
}
