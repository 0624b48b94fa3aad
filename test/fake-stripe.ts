// A local stand-in for Stripe's HTTP API, for the official SDK pointed at it (STRIPE_API_HOST/PORT/
// PROTOCOL). It records every request (method, path, Idempotency-Key, Stripe-Version, the form-
// encoded body decoded into objects) and answers the endpoints Burrow uses as Stripe documents them,
// including Stripe's idempotency (a repeated key with the same body replays the first answer; with a
// different body, 400 idempotency_error; only successful answers are kept) and meter events' identifier uniqueness (400). It can be
// told to answer 500, or to be down (connection refused).
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type RecordedRequest = {
  method: string;
  path: string;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  authorization: string | null;
  body: Record<string, unknown>;
  raw: string;
};

type Answer = { status: number; body: unknown };

/** `a[b][0][c]=x` form fields (Stripe's encoding) → nested objects and arrays. */
export function decodeForm(raw: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const parts = key.split(/\[|\]\[|\]/).filter((p) => p !== "");
    let node: Record<string, unknown> | unknown[] = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const slot = Array.isArray(node) ? Number(part) : part;
      const container = node as Record<string | number, unknown>;
      if (last) container[slot] = value;
      else {
        container[slot] ??= /^\d+$/.test(parts[i + 1]) ? [] : {};
        node = container[slot] as Record<string, unknown> | unknown[];
      }
    });
  }
  return root;
}

const stripeError = (status: number, type: string, message: string, code?: string): Answer =>
  ({ status, body: { error: { type, message, ...(code ? { code } : {}) } } });

export class FakeStripe {
  readonly requests: RecordedRequest[] = [];
  /** Meter events Stripe holds, by identifier. */
  readonly meterEvents = new Map<string, Record<string, unknown>>();
  readonly customers = new Map<string, Record<string, unknown>>();
  /** Meter event names without an active meter: refused with 400, as Stripe does. */
  readonly refuseEventNames = new Set<string>();
  private readonly idempotency = new Map<string, { raw: string; path: string; answer: Answer }>();
  private failure: number | null = null;
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private counter = 0;
  port = 0;

  async start(): Promise<this> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stop listening (requests get ECONNREFUSED) until start() again, on the same port. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async stop(): Promise<void> {
    await this.down();
  }

  /** Answer every request with this status (500: an API error) until failWith(null). */
  failWith(status: number | null): void {
    this.failure = status;
  }

  /** Forget idempotency keys (Stripe keeps them 24 hours). */
  forgetIdempotencyKeys(): void {
    this.idempotency.clear();
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  private id(prefix: string): string {
    this.counter += 1;
    return `${prefix}_fake${Date.now().toString(36)}${this.counter}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = (req.url ?? "/").split("?")[0];
    const header = (name: string) => (req.headers[name] as string | undefined) ?? null;
    const recorded: RecordedRequest = {
      method: req.method ?? "GET", path, raw, body: decodeForm(raw),
      idempotencyKey: header("idempotency-key"), stripeVersion: header("stripe-version"), authorization: header("authorization"),
    };
    this.requests.push(recorded);
    const answer = this.answer(recorded);
    res.writeHead(answer.status, {
      "content-type": "application/json",
      "request-id": this.id("req"),
      ...(answer.status >= 500 ? { "stripe-should-retry": "false" } : {}),
      ...(recorded.idempotencyKey ? { "idempotency-key": recorded.idempotencyKey } : {}),
    });
    res.end(JSON.stringify(answer.body));
  }

  private answer(req: RecordedRequest): Answer {
    if (this.failure) return stripeError(this.failure, "api_error", "Something went wrong on Stripe's end (fake)");
    if (!/^Bearer sk_(test|live)_/.test(req.authorization ?? "")) {
      return stripeError(401, "invalid_request_error", "Invalid API Key provided");
    }
    if (req.method === "POST" && req.idempotencyKey) {
      const seen = this.idempotency.get(req.idempotencyKey);
      if (seen) {
        if (seen.raw !== req.raw || seen.path !== req.path) {
          return stripeError(400, "idempotency_error", "Keys for idempotent requests can only be used with the same parameters they were first used with.");
        }
        return seen.answer;
      }
      const answer = this.route(req);
      // Stripe saves an idempotent result only once the request ran (not for refused parameters).
      if (answer.status < 300) this.idempotency.set(req.idempotencyKey, { raw: req.raw, path: req.path, answer });
      return answer;
    }
    return this.route(req);
  }

  private route(req: RecordedRequest): Answer {
    const now = Math.floor(Date.now() / 1000);
    const b = req.body as Record<string, any>;
    if (req.method !== "POST") return stripeError(404, "invalid_request_error", `Unrecognized request URL (${req.method}: ${req.path})`);
    switch (req.path) {
      case "/v1/customers": {
        const customer = { id: this.id("cus"), object: "customer", created: now, livemode: false, name: b.name ?? null, email: b.email ?? null, metadata: b.metadata ?? {} };
        this.customers.set(customer.id, customer);
        return { status: 200, body: customer };
      }
      case "/v1/billing/meter_events": {
        for (const field of ["event_name", "payload"]) {
          if (!b[field]) return stripeError(400, "invalid_request_error", `Missing required param: ${field}.`);
        }
        if (this.refuseEventNames.has(b.event_name)) {
          return stripeError(400, "invalid_request_error", `No active meter found for event_name ${b.event_name}.`);
        }
        const identifier = b.identifier ?? this.id("mev");
        if (this.meterEvents.has(identifier)) {
          return stripeError(400, "invalid_request_error", `An event already exists with identifier ${identifier}.`);
        }
        const event = {
          object: "billing.meter_event", created: now, livemode: false, event_name: b.event_name, identifier,
          payload: b.payload, timestamp: b.timestamp ? Number(b.timestamp) : now,
        };
        this.meterEvents.set(identifier, event);
        return { status: 200, body: event };
      }
      case "/v1/checkout/sessions": {
        const id = this.id("cs_test");
        return {
          status: 200,
          body: {
            id, object: "checkout.session", livemode: false, mode: b.mode, status: "open", customer: b.customer ?? null,
            client_reference_id: b.client_reference_id ?? null, metadata: b.metadata ?? {}, success_url: b.success_url, cancel_url: b.cancel_url ?? null,
            subscription: null, url: `https://checkout.stripe.com/c/pay/${id}`,
          },
        };
      }
      case "/v1/billing_portal/sessions": {
        const id = this.id("bps");
        return {
          status: 200,
          body: { id, object: "billing_portal.session", livemode: false, created: now, customer: b.customer, return_url: b.return_url ?? null, url: `https://billing.stripe.com/p/session/${id}` },
        };
      }
      default:
        return stripeError(404, "invalid_request_error", `Unrecognized request URL (POST: ${req.path})`);
    }
  }
}
