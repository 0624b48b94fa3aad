// One address per sandbox from the runner's range, claimed by creating a file named after it
// (O_EXCL: two creates never get the same one) and released by deleting it. On disk, so a runner
// restart keeps every sandbox's address.
import fs from "node:fs/promises";
import path from "node:path";

export function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0) >>> 0;
}
export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

/** The range's network address, its gateway (the first host) and how many addresses it spans. */
export function rangeOf(cidr: string): { base: number; gateway: string; size: number; bits: number } {
  const [ip, bitsText] = cidr.split("/");
  const bits = Number(bitsText);
  const size = 2 ** (32 - bits);
  const base = Math.floor(ipv4ToInt(ip) / size) * size;
  return { base, gateway: intToIpv4(base + 1), size, bits };
}

export async function claimAddress(dir: string, cidr: string, owner: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const { base, size } = rangeOf(cidr);
  // .0 is the network, .1 the gateway, the last the broadcast.
  for (let i = 2; i < size - 1; i++) {
    const ip = intToIpv4(base + i);
    try {
      await fs.writeFile(path.join(dir, ip), owner, { flag: "wx" });
      return ip;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  throw new Error(`no free address left in ${cidr}`);
}

export async function releaseAddress(dir: string, ip: string): Promise<void> {
  await fs.rm(path.join(dir, ip), { force: true });
}
