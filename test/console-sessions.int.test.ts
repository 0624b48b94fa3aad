// Console sessions end on the server: a cookie saved before sign-out is refused after it, and a
// session revoked from the settings list refuses its cookie, both at the API (401) and for pages
// (Auth.js's session answer is empty). Sign-in and sign-out go through Auth.js's real routes over
// HTTP with a CSRF token, as the console's signIn()/signOut() do. Also: a wrong password is one
// line in the log, not a stack trace.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as consoleSessionRoute from "@/app/api/v1/me/console-sessions/[id]/route";
import * as consoleSessionsRoute from "@/app/api/v1/me/console-sessions/route";
import * as meRoute from "@/app/api/v1/me/route";
import { installPeerAddressHeader } from "@/lib/api/peer-address";
import { handlers } from "@/lib/auth/next-auth";
import { call, createTestTenant, sessionCookie, type TestTenant } from "./helpers";
import { type RouteServer, startRouteServer } from "./route-server";

let server: RouteServer;

beforeAll(async () => {
  installPeerAddressHeader();
  const asHandler = (h: typeof handlers.GET) => h as unknown as (req: Request) => Promise<Response>;
  server = await startRouteServer({
    "/api/auth/csrf": asHandler(handlers.GET),
    "/api/auth/session": asHandler(handlers.GET),
    "/api/auth/callback/credentials": asHandler(handlers.POST),
    "/api/auth/signout": asHandler(handlers.POST),
  });
});
afterAll(() => server?.close());
afterEach(() => vi.restoreAllMocks());

const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0]);

async function csrf(): Promise<{ csrfToken: string; csrfCookie: string }> {
  const res = await fetch(`${server.url}/api/auth/csrf`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { csrfToken, csrfCookie: cookiesOf(res).join("; ") };
}

/** Signs in as the sign-in form does; the session cookie, or null when refused. */
async function signIn(email: string, password: string, userAgent = "console-sessions test"): Promise<string | null> {
  const { csrfToken, csrfCookie } = await csrf();
  const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { cookie: csrfCookie, "user-agent": userAgent, "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: "/" }),
  });
  await res.text();
  return cookiesOf(res).find((c) => c.startsWith("authjs.session-token=")) ?? null;
}

async function signOut(sessionCookie: string) {
  const { csrfToken, csrfCookie } = await csrf();
  const res = await fetch(`${server.url}/api/auth/signout`, {
    method: "POST",
    headers: { cookie: `${csrfCookie}; ${sessionCookie}`, "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
    body: new URLSearchParams({ csrfToken, callbackUrl: "/signin" }),
  });
  expect(res.status).toBe(200);
  await res.text();
}

const me = (t: TestTenant, cookie: string) => call(meRoute.GET, { path: "/api/v1/me", cookie, tenant: t.slug });

/** What the console's pages see (auth() runs the same jwt callback): the signed-in email, or null. */
async function pageSession(cookie: string): Promise<string | null> {
  const res = await fetch(`${server.url}/api/auth/session`, { headers: { cookie } });
  const body = (await res.json()) as { user?: { email?: string } } | null;
  return body?.user?.email ?? null;
}

describe("console sessions", () => {
  it("refuses a cookie saved before sign-out after it, at the API and for pages", async () => {
    const t = await createTestTenant();
    const saved = await signIn(t.email, t.password);
    expect(saved).not.toBeNull();
    expect((await me(t, saved!)).status).toBe(200);
    expect(await pageSession(saved!)).toBe(t.email);

    await signOut(saved!);

    const after = await me(t, saved!);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("unauthorized");
    expect(await pageSession(saved!)).toBeNull();
  });

  it("lists the user's sessions and revoking one refuses its cookie, not the others", async () => {
    const t = await createTestTenant();
    const laptop = (await signIn(t.email, t.password, "Laptop browser"))!;
    const phone = (await signIn(t.email, t.password, "Phone browser"))!;

    const list = await call(consoleSessionsRoute.GET, { path: "/api/v1/me/console-sessions", cookie: laptop });
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(2);
    const current = list.body.data.find((s: { current: boolean }) => s.current);
    const other = list.body.data.find((s: { current: boolean }) => !s.current);
    expect(current.userAgent).toBe("Laptop browser");
    expect(other.userAgent).toBe("Phone browser");

    const revoked = await call(consoleSessionRoute.DELETE, {
      method: "DELETE", path: `/api/v1/me/console-sessions/${other.id}`, cookie: laptop, params: { id: other.id },
    });
    expect(revoked.status).toBe(204);

    expect((await me(t, phone)).status).toBe(401);
    expect(await pageSession(phone)).toBeNull();
    expect((await me(t, laptop)).status).toBe(200);
    const listAfter = await call(consoleSessionsRoute.GET, { path: "/api/v1/me/console-sessions", cookie: laptop });
    expect(listAfter.body.data.map((s: { id: string }) => s.id)).toEqual([current.id]);
  });

  it("does not let one user revoke another user's session (not found), nor a cookie without a live session in", async () => {
    const [a, b] = [await createTestTenant(), await createTestTenant()];
    const aCookie = await sessionCookie(a);
    const bCookie = await sessionCookie(b);
    const bList = await call(consoleSessionsRoute.GET, { path: "/api/v1/me/console-sessions", cookie: bCookie });
    const bSession = bList.body.data[0].id;
    const foreign = await call(consoleSessionRoute.DELETE, {
      method: "DELETE", path: `/api/v1/me/console-sessions/${bSession}`, cookie: aCookie, params: { id: bSession },
    });
    expect(foreign.status).toBe(404);
    expect((await me(b, bCookie)).status).toBe(200);
  });

  it("logs a wrong password as one line, without a stack trace", async () => {
    const t = await createTestTenant();
    const lines: string[] = [];
    const capture = (...args: unknown[]) => { lines.push(args.map(String).join(" ")); };
    vi.spyOn(console, "error").mockImplementation(capture);
    vi.spyOn(console, "warn").mockImplementation(capture);
    expect(await signIn(t.email, "not the password")).toBeNull();
    vi.restoreAllMocks();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/sign-in refused/);
    expect(lines[0].split("\n")).toHaveLength(1);
  });
});
