// What the kernel shows of a sandbox's network in the test world's runner-host namespace: the
// bytes its veth carried, and whether its network namespace is still there.
import { execFileSync } from "node:child_process";
import { netKeyOf } from "@/lib/network/sandbox-networking";
import { waitFor } from "../wait-for";
import type { NetworkWorld } from "./network-world";

/** IP bytes the sandbox has sent through its veth (the host end receives them): bytes minus the Ethernet headers. */
export function vethSentIpBytes(world: NetworkWorld, id: string): number {
  const [link] = JSON.parse(world.exec(world.host, ["ip", "-s", "-j", "link", "show", `bv${netKeyOf(id)}`])) as { stats64: { rx: { bytes: number; packets: number } } }[];
  return link.stats64.rx.bytes - 14 * link.stats64.rx.packets;
}

/** The sandbox's network is removed (its final counter reading is recorded before that). */
export const networkGone = (id: string) => waitFor(async () => !execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).includes(`burrow-${netKeyOf(id)}`), {
  what: "the sandbox's network namespace removed", timeoutMs: 15_000, intervalMs: 100,
});
