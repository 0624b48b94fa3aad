// The one place that reads process.env. Everything else imports `env` from here.
import { z } from "zod";

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default("./.data"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  PUBLIC_URL: z.string().url().optional(),
  /** Where runners pass on the OTLP their sandboxes export (default PUBLIC_URL, else this host's PORT). */
  OTLP_FORWARD_URL: z.string().url().optional(),
  AUTH_SECRET: z.string().min(16).optional(),
  AUTH_GITHUB_ID: z.string().optional(),
  AUTH_GITHUB_SECRET: z.string().optional(),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  API_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  /** Shared secret for calls from the web app to runners (npm start generates one under DATA_DIR). */
  RUNNER_SECRET: z.string().min(16).optional(),
  RUNNER_NAME: z.string().min(1).max(100).optional(),
  RUNNER_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** vCPUs the runner offers; default: host cores × RUNNER_CPU_OVERCOMMIT (idle agents rarely use a whole core). */
  RUNNER_VCPU: z.coerce.number().positive().optional(),
  RUNNER_CPU_OVERCOMMIT: z.coerce.number().min(1).max(64).default(4),
  RUNNER_MEMORY_MIB: z.coerce.number().int().positive().optional(),
  RUNNER_GPUS: z.coerce.number().int().min(0).default(0),
  RUNNER_LABELS: z.string().default("{}"),
  /** Set by `npm start` for its workers: they stop when their parent is gone (not an operator setting). */
  BURROW_PARENT_PID: z.coerce.number().int().positive().optional(),
  /** The OCI runtime binary: runc by default; runsc (gVisor) or kata-runtime for stronger isolation. */
  SANDBOX_RUNTIME: z.string().default("runc"),
  /** Sandbox CPU use (in vCPUs) above which a session counts as active for the idle policy. */
  IDLE_CPU_THRESHOLD: z.coerce.number().min(0).default(0.05),
  /** How often the runner samples CPU, memory and pids of each sandbox into session_metrics. */
  METRICS_SAMPLE_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(5_000),
  /** Snapshots go to this S3-compatible bucket when set; else to DATA_DIR/snapshots. */
  SNAPSHOT_S3_BUCKET: z.string().min(1).optional(),
  /** e.g. http://127.0.0.1:9000 (MinIO); default https://s3.<region>.amazonaws.com */
  SNAPSHOT_S3_ENDPOINT: z.string().url().optional(),
  SNAPSHOT_S3_REGION: z.string().min(1).default("us-east-1"),
  SNAPSHOT_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  SNAPSHOT_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Key prefix inside the bucket, e.g. "burrow/snapshots". */
  SNAPSHOT_S3_PREFIX: z.string().optional(),
  /** <endpoint>/<bucket>/<key> (MinIO and most self-hosted stores); false: <bucket>.<endpoint host>/<key>. */
  SNAPSHOT_S3_FORCE_PATH_STYLE: z.stringbool().default(true),
  /** Stripe's secret API key; unset = local billing mode (meters and estimates, nothing charged). */
  STRIPE_SECRET_KEY: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
  /** The signing secret of the webhook endpoint /api/webhooks/stripe (whsec_…). */
  STRIPE_WEBHOOK_SECRET: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
  /** Where the Stripe SDK sends requests (default api.stripe.com:443 over https); tests point it at a local server. */
  STRIPE_API_HOST: z.string().min(1).optional(),
  STRIPE_API_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  STRIPE_API_PROTOCOL: z.enum(["http", "https"]).optional(),
}).superRefine((e, ctx) => {
  if (e.SNAPSHOT_S3_BUCKET && (!e.SNAPSHOT_S3_ACCESS_KEY_ID || !e.SNAPSHOT_S3_SECRET_ACCESS_KEY)) {
    ctx.addIssue({ code: "custom", path: ["SNAPSHOT_S3_ACCESS_KEY_ID"], message: "SNAPSHOT_S3_BUCKET needs SNAPSHOT_S3_ACCESS_KEY_ID and SNAPSHOT_S3_SECRET_ACCESS_KEY" });
  }
});

export type Env = z.infer<typeof envSchema>;

function readEnv(): Env {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${problems}`);
  }
  return parsed.data;
}

export const env: Env = readEnv();

/** The S3 snapshot store's settings, or null when SNAPSHOT_S3_BUCKET is not set (local store). */
export function snapshotS3Config() {
  const { SNAPSHOT_S3_BUCKET: bucket, SNAPSHOT_S3_ACCESS_KEY_ID: accessKeyId, SNAPSHOT_S3_SECRET_ACCESS_KEY: secretAccessKey } = env;
  if (!bucket || !accessKeyId || !secretAccessKey) return null;
  return {
    bucket,
    accessKeyId,
    secretAccessKey,
    endpoint: env.SNAPSHOT_S3_ENDPOINT,
    region: env.SNAPSHOT_S3_REGION,
    prefix: env.SNAPSHOT_S3_PREFIX,
    forcePathStyle: env.SNAPSHOT_S3_FORCE_PATH_STYLE,
  };
}

/** "stripe" when STRIPE_SECRET_KEY is set; else "local": the same meters and estimates, nothing charged. */
export function billingMode(): "stripe" | "local" {
  return env.STRIPE_SECRET_KEY ? "stripe" : "local";
}

export function databaseUrlOrThrow(): string {
  const url = process.env.DATABASE_URL ?? env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (npm start sets it when it starts the embedded Postgres)");
  return url;
}
