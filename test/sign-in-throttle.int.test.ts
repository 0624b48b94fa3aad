// Email-and-password sign-in through Auth.js's real routes over HTTP (CSRF token, then the
// credentials callback, as the sign-in form's signIn() does), behind a "proxy" on 127.0.0.1 so each
// test can speak from its own client address. Small limits keep the argon2 checks few; "the window
// passes" is the attempts' rows aging out (moved back by the window), not a wait.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.SIGN_IN_MAX_FAILURES_PER_ACCOUNT = "4";
  process.env.SIGN_IN_MAX_FAILURES_PER_ADDRESS = "6";
  process.env.SIGN_IN_THROTTLE_WINDOW_SECONDS = "600";
  process.env.TRUSTED_PROXIES = "127.0.0.1";
});

import { handlers } from "@/lib/auth/next-auth";
import { installPeerAddressHeader } from "@/lib/api/peer-address";
import { db } from "@/lib/db/client";
import { tenantDb } from "@/lib/db/tenant-scope";
import { createTestTenant } from "./helpers";
import { type RouteServer, startRouteServer } from "./route-server";

let server: RouteServer;

beforeAll(async () => {
  installPeerAddressHeader(); // as instrumentation.ts does in the web process
  // Auth.js's handlers take a NextRequest but read only what a Request has.
  const asHandler = (h: typeof handlers.GET) => h as unknown as (req: Request) => Promise<Response>;
  server = await startRouteServer({ "/api/auth/csrf": asHandler(handlers.GET), "/api/auth/callback/credentials": asHandler(handlers.POST) });
});
afterAll(() => server?.close());

let addressCounter = 0;
/** A client address of its own per test (TEST-NET-2, told to us by the trusted proxy 127.0.0.1). */
const newAddress = () => `198.51.100.${(process.pid % 100) + ++addressCounter}`;

type Outcome = "signed_in" | "wrong" | "throttled";

async function signIn(email: string, password: string, from: string): Promise<Outcome> {
  const headers = { "x-forwarded-for": from };
  const csrf = await fetch(`${server.url}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, cookie, "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: "/" }),
  });
  const { url } = (await res.json()) as { url: string };
  const answer = new URL(url, server.url);
  if (!answer.searchParams.has("error")) {
    expect(res.headers.getSetCookie().some((c) => c.startsWith("authjs.session-token="))).toBe(true);
    return "signed_in";
  }
  expect(answer.searchParams.get("error")).toBe("CredentialsSignin");
  return answer.searchParams.get("code") === "too_many_attempts" ? "throttled" : "wrong";
}

/** Moves this email's or address's attempts back by the window, as if it had passed. */
async function letWindowPass(where: { email: string } | { ip: string }) {
  await db().signInAttempt.updateMany({ where, data: { createdAt: new Date(Date.now() - 601_000) } });
}

const newAccount = createTestTenant;

describe("sign-in throttling", () => {
  it("refuses an account after its failures reach the limit, even with the right password, until the window passes", async () => {
    const t = await newAccount();
    const from = newAddress();
    expect(await signIn(t.email, t.password, from)).toBe("signed_in");
    const wrong = await Promise.all(Array.from({ length: 4 }, (_, i) => signIn(t.email, `wrong password ${i}`, from)));
    expect(wrong).toEqual(["wrong", "wrong", "wrong", "wrong"]);
    expect(await signIn(t.email, "wrong again", from)).toBe("throttled");
    expect(await signIn(t.email, t.password, from)).toBe("throttled");
    // From another address too: the account's limit is the account's.
    expect(await signIn(t.email, t.password, newAddress())).toBe("throttled");

    const audits = await tenantDb(t.id).auditEvent.findMany({ where: { action: "auth.sign_in_throttled" } });
    expect(audits).toEqual([expect.objectContaining({
      actorType: "system", targetType: "user", targetId: t.userId, ip: from,
      metadata: expect.objectContaining({ scope: "account", failures: 4, windowSeconds: 600, email: t.email }),
    })]);

    await letWindowPass({ email: t.email });
    expect(await signIn(t.email, t.password, from)).toBe("signed_in");
  });

  it("lets at most the limit of a simultaneous burst reach a password check", async () => {
    const t = await newAccount();
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn(t.email, `guess ${i}`, newAddress())));
    expect(burst.filter((o) => o === "wrong")).toHaveLength(4);
    expect(burst.filter((o) => o === "throttled")).toHaveLength(8);
    expect(await tenantDb(t.id).auditEvent.count({ where: { action: "auth.sign_in_throttled" } })).toBe(1);
  });

  it("refuses another account from an address whose failures reached the address limit", async () => {
    const [a, b, c] = [await newAccount(), await newAccount(), await newAccount()];
    const from = newAddress();
    for (const [account, n] of [[a, 3], [b, 3]] as const) {
      for (let i = 0; i < n; i++) expect(await signIn(account.email, `nope ${i}`, from)).toBe("wrong");
    }
    // Six failures from this address: a third account, never tried before, is refused from here...
    expect(await signIn(c.email, c.password, from)).toBe("throttled");
    // ...but not from elsewhere.
    expect(await signIn(c.email, c.password, newAddress())).toBe("signed_in");
    const audits = await tenantDb(b.id).auditEvent.findMany({ where: { action: "auth.sign_in_throttled" } });
    expect(audits).toEqual([expect.objectContaining({ ip: from, metadata: expect.objectContaining({ scope: "address", failures: 6 }) })]);

    await letWindowPass({ ip: from });
    expect(await signIn(c.email, c.password, from)).toBe("signed_in");
  });
});
