// The one place that reads process.env. Everything else imports `env` from here.
import os from "node:os";
import path from "node:path";
import { z } from "zod";

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default("./.data"),
  /** Where each running `npm start` records itself, so `npm run admin` finds its database. */
  BURROW_INSTANCES_DIR: z.string().default(path.join(os.tmpdir(), "burrow-instances")),
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
  /** How long a web process may answer from its cached API key lookup (lib/keys/api-key-cache.ts)
   *  when no change notice reaches it (LISTEN connection down); 0 = look the key up every request. */
  API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /** Email-and-password sign-in: failed attempts allowed per account and per client address within the window. */
  SIGN_IN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
  SIGN_IN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(50),
  SIGN_IN_THROTTLE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** Comma-separated IPs/CIDRs of reverse proxies whose X-Forwarded-For entries are believed; none: the socket address. */
  TRUSTED_PROXIES: z.string().default("").refine(
    (list) => list.split(",").map((e) => e.trim()).filter(Boolean).every((e) => z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]).safeParse(e).success),
    "each entry must be an IP address or a CIDR range, e.g. 10.0.0.1,10.1.0.0/16",
  ),
  /** Postgres connections per process (web app, each worker). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(500).default(20),
  /** How long a query waits for a free pooled connection (or a new one) before the request gets 503. */
  DATABASE_POOL_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** Longest an interactive transaction may run before it is rolled back (answered 503). */
  DATABASE_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(15_000),
  /** Session creates one web process runs at once; the rest wait in its admission queue. */
  SESSION_CREATE_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  /** Creates that may wait in that queue; more (or a wait over SESSION_CREATE_QUEUE_WAIT_MS) get 503 + Retry-After. */
  SESSION_CREATE_QUEUE: z.coerce.number().int().min(0).max(100_000).default(256),
  SESSION_CREATE_QUEUE_WAIT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  /** Shared secret for calls from the web app to runners (npm start generates one under DATA_DIR). */
  RUNNER_SECRET: z.string().min(16).optional(),
  RUNNER_NAME: z.string().min(1).max(100).optional(),
  RUNNER_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** vCPUs the runner offers; default: host cores × RUNNER_CPU_OVERCOMMIT (idle agents rarely use a whole core). */
  RUNNER_VCPU: z.coerce.number().positive().optional(),
  RUNNER_CPU_OVERCOMMIT: z.coerce.number().min(1).max(64).default(4),
  RUNNER_MEMORY_MIB: z.coerce.number().int().positive().optional(),
  RUNNER_GPUS: z.coerce.number().int().min(0).default(0),
  /** Sessions a runner works on at once (starts, stops, …); each queued one starts as a slot frees. */
  RUNNER_RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /** The runner's full pass over all its sessions and containers: only the safety net, since notices name the session that changed. */
  RUNNER_FULL_PASS_MS: z.coerce.number().int().min(200).max(600_000).default(5_000),
  RUNNER_LABELS: z.string().default("{}"),
  /**
   * Warm pools kept by this runner (README "Warm pools"): comma-separated `template:VCPUxMEMORYxDISK:SIZE`,
   * e.g. `base:1x512x1024:2` (template name `base` or a template id). Empty (default): none.
   */
  WARM_POOL: z.string().default(""),
  /** `npm start` installs missing host packages with apt-get when it runs as root (0: only say which). */
  BURROW_INSTALL_PREREQUISITES: z.stringbool().default(true),
  /** Where host tools (runc, zstd, …) are looked for. */
  PATH: z.string().default("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
  /** Set by `npm start` for its workers: they stop when their parent is gone (not an operator setting). */
  BURROW_PARENT_PID: z.coerce.number().int().positive().optional(),
  /** The OCI runtime binary: runc by default; runsc (gVisor) or kata-runtime for stronger isolation. */
  SANDBOX_RUNTIME: z.string().default("runc"),
  /** Root in a sandbox as an unprivileged host uid: auto (when the start probe works), on (the runner refuses to run sandboxes without), off. */
  SANDBOX_USERNS: z.enum(["auto", "on", "off"]).default("auto"),
  /** First host uid/gid of the runner's range (65536 ids: SANDBOX_UID_BASE is root inside, +1000 is 1000). */
  SANDBOX_UID_BASE: z.coerce.number().int().min(1).max(0xffffffff - 65_536).default(100_000),
  /** on: each sandbox's writable area is a diskMib-sized filesystem of its own (README, "Disk limits"); off: the state dir's, unlimited. */
  SANDBOX_DISK_LIMITS: z.enum(["on", "off"]).default("on"),
  /** on: new sandboxes run the exec agent as PID 1 and execs go through it (README "Exec"); off: the shell-loop init and `runc exec`. */
  SANDBOX_EXEC_AGENT: z.enum(["on", "off"]).default("on"),
  /** Disk space a runner may keep hibernated sessions' files in (its hibernate cache: a wake there skips the restore); 0 turns it off. Default: a quarter of the free space. */
  SANDBOX_HIBERNATE_CACHE_BYTES: z.coerce.number().int().min(0).optional(),
  /** on: sessions may ask for a network (a veth into the runner's bridge, NAT, the policy resolver: README "Network"); off: only network "none". */
  SANDBOX_NETWORK: z.enum(["on", "off"]).default("on"),
  /** The runner's sandbox range (IPv4, /16 or smaller); the bridge takes its first address. */
  SANDBOX_NET_CIDR: z.cidrv4().refine((c) => Number(c.split("/")[1]) >= 16 && Number(c.split("/")[1]) <= 28, "a /16 to /28").default("10.88.0.0/16"),
  SANDBOX_NET_BRIDGE: z.string().regex(/^[a-zA-Z0-9_.-]{1,15}$/).default("burrow0"),
  /** The nftables table (inet and bridge) the runner owns. */
  SANDBOX_NET_TABLE: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,30}$/).default("burrow"),
  /** Build the sandbox network in this named network namespace rather than the runner's own (a dedicated host namespace; the tests' "runner host"). */
  SANDBOX_NET_HOST_NETNS: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/).optional(),
  /** Comma-separated DNS servers the sandbox resolver asks; default the nameservers of the host's resolv.conf. */
  SANDBOX_DNS_UPSTREAM: z.string().default(""),
  /** Comma-separated CIDRs no sandbox may reach whatever its policy, beyond the built-in ones (e.g. Postgres on another host). */
  SANDBOX_NET_BLOCK: z.string().default("").refine(
    (list) => list.split(",").map((e) => e.trim()).filter(Boolean).every((e) => z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]).safeParse(e).success),
    "each entry must be an IP address or a CIDR range",
  ),
  /** NFLOG group the sandbox firewall logs connection attempts to for the flight recorder (one per runner on a network namespace); "off": record DNS lookups only. */
  SANDBOX_NET_LOG_GROUP: z.union([z.literal("off"), z.coerce.number().int().min(1).max(65_535)]).default(7150),
  /**
   * NFQUEUE queue of the name inspection (TLS SNI and HTTP Host of sandboxes with domain rules; one
   * per runner on a network namespace); "off": domain rules follow DNS only.
   */
  SANDBOX_NET_QUEUE: z.union([z.literal("off"), z.coerce.number().int().min(0).max(65_535)]).default(7151),
  /** How often the runner reads its sandboxes' egress counters into the usage tables. */
  NETWORK_METER_INTERVAL_MS: z.coerce.number().int().min(200).max(600_000).default(10_000),
  /** Flight recorder events a session may write per second (burst: 10 s of it); the rest are counted as dropped. */
  NETWORK_EVENTS_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(50),
  /** The preview proxy's port (workers/preview-proxy); default PORT + 1. */
  PREVIEW_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** The address the preview proxy listens on (default HOST). */
  PREVIEW_HOST: z.string().optional(),
  /** Also listen on this unix socket (for a front proxy on the same host, e.g. nginx `proxy_pass http://unix:…`). */
  PREVIEW_SOCKET: z.string().startsWith("/").optional(),
  /** Preview URLs are {port}-{sessionId}.PREVIEW_DOMAIN (a port in it is kept in the URLs, ignored when matching); default localhost:PREVIEW_PORT. */
  PREVIEW_DOMAIN: z.string().regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, "a host name, optionally with :port").optional(),
  /** The scheme of preview URLs: https when a TLS terminator sits in front of the proxy. */
  PREVIEW_SCHEME: z.enum(["http", "https"]).default("http"),
  /** How long a request to a sleeping session's preview is held while it wakes and its port starts answering. */
  PREVIEW_WAKE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
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

/** Where the preview proxy listens, and the domain its URLs use (README "Ports and preview URLs"). */
export function previewSettings() {
  const port = env.PREVIEW_PORT ?? env.PORT + 1;
  return { port, portIsDefault: env.PREVIEW_PORT === undefined, host: env.PREVIEW_HOST ?? env.HOST, socket: env.PREVIEW_SOCKET ?? null, domain: env.PREVIEW_DOMAIN ?? `localhost:${port}`, scheme: env.PREVIEW_SCHEME, wakeTimeoutMs: env.PREVIEW_WAKE_TIMEOUT_MS };
}

export function databaseUrlOrThrow(): string {
  const url = process.env.DATABASE_URL ?? env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (npm start sets it when it starts the embedded Postgres)");
  return url;
}
