// Builds (or finds) the sandbox exec agent and prints its path: `npx tsx scripts/build-sandbox-agent.ts`.
// The runner does the same at start (SANDBOX_EXEC_AGENT=on); this is for CI and for checking a host.
import { ensureAgentBinary } from "../lib/sandbox";

console.log(await ensureAgentBinary());
