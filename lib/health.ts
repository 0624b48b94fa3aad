import { db } from "./db/client";

export type Health = { status: "ok" | "degraded"; db: "ok" | "unavailable" };

export async function checkHealth(timeoutMs = 2000): Promise<Health> {
  const probe = db().$queryRawUnsafe("SELECT 1");
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), timeoutMs).unref());
  try {
    await Promise.race([probe, timeout]);
    return { status: "ok", db: "ok" };
  } catch {
    probe.catch(() => {});
    return { status: "degraded", db: "unavailable" };
  }
}
