// A usage rollup in its own process, for the "killed mid-run" test: one subject per batch, and
// after the first batch is committed it reports and waits to be killed (SIGKILL, no cleanup).
import { rollupUsage } from "../lib/usage/rollup-usage";

const tenantId = process.env.ROLLUP_TENANT_ID!;
const from = new Date(process.env.ROLLUP_FROM!);

await rollupUsage({
  tenantId, from, batchSize: 1,
  onBatch: async () => {
    console.log("batch committed");
    await new Promise((resolve) => setTimeout(resolve, 60_000));
  },
});
console.log("finished");
process.exit(0);
