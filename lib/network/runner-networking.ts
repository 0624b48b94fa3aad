// The runner's sandbox networking from its settings (lib/env.ts), or null when SANDBOX_NETWORK=off.
import { isIP } from "node:net";
import { env } from "../env";
import type { CounterReading, NetworkEventRecord } from "./network-event";
import { createSandboxNetworking, type SandboxNetworking } from "./sandbox-networking";

const listOf = (s: string) => s.split(",").map((e) => e.trim()).filter(Boolean);
const asCidr = (e: string) => (e.includes("/") ? e : isIP(e) === 6 ? `${e}/128` : `${e}/32`);

/** Postgres's address when DATABASE_URL names it by a (non-loopback) IP: always blocked too. */
function databaseAddress(): string[] {
  try {
    const host = new URL(env.DATABASE_URL ?? "").hostname.replace(/^\[|\]$/g, "");
    return isIP(host) && !host.startsWith("127.") && host !== "::1" ? [asCidr(host)] : [];
  } catch {
    return [];
  }
}

export type NetworkHooks = { onFinalReading: (r: CounterReading) => Promise<void>; onEvent: (e: NetworkEventRecord) => void };

export function runnerNetworking(stateDir: string, log: (m: string) => void, hooks?: NetworkHooks): SandboxNetworking | null {
  if (env.SANDBOX_NETWORK === "off") return null;
  return createSandboxNetworking({
    stateDir,
    bridge: env.SANDBOX_NET_BRIDGE,
    cidr: env.SANDBOX_NET_CIDR,
    table: env.SANDBOX_NET_TABLE,
    hostNetns: env.SANDBOX_NET_HOST_NETNS ?? null,
    upstreamDns: listOf(env.SANDBOX_DNS_UPSTREAM),
    blocked: [...listOf(env.SANDBOX_NET_BLOCK).map(asCidr), ...databaseAddress()],
    logGroup: env.SANDBOX_NET_LOG_GROUP === "off" ? null : env.SANDBOX_NET_LOG_GROUP,
    inspectQueue: env.SANDBOX_NET_QUEUE === "off" ? null : env.SANDBOX_NET_QUEUE,
    ...hooks,
    log,
  });
}
