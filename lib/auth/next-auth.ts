// Auth.js (next-auth v5) for the console: email + password always, GitHub when its env vars are
// set. Sessions are JWT cookies, which API routes also accept (see session-cookie.ts); each names a
// console session row (`sid`) so that signing out or revoking ends it on the server too.
import NextAuth, { AuthError, CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import { z } from "zod";
import { clientIp } from "../api/client-ip";
import { recordAuditEvent } from "../audit";
import { db } from "../db/client";
import type { TenantTx } from "../db/tenant-scope";
import { env } from "../env";
import { newId } from "../ids";
import { authSecret } from "./auth-secret";
import { CONSOLE_SESSION_MAX_AGE_SECONDS, endConsoleSession, isConsoleSessionLive, startConsoleSession } from "./console-sessions";
import { verifyPassword } from "./passwords";
import { SIGN_IN_THROTTLED_CODE } from "./sign-in-errors";
import { beginSignInAttempt, finishSignInAttempt } from "./sign-in-throttle";

const credentialsSchema = z.object({ email: z.email().transform((e) => e.toLowerCase()), password: z.string().min(1).max(200) });

async function recordSignIn(user: { id: string; email: string }, method: string, ip: string | null) {
  const memberships = await db().membership.findMany({ where: { userId: user.id }, select: { tenantId: true } });
  for (const { tenantId } of memberships) {
    await recordAuditEvent(
      { tenantId, actor: { type: "user", id: user.id, label: user.email }, ip, db: db() as unknown as TenantTx },
      { action: "auth.sign_in", targetType: "user", targetId: user.id, metadata: { method } },
    );
  }
}

/** Reaches the sign-in page as `code=too_many_attempts` (Auth.js puts a CredentialsSignin's code in the URL). */
class TooManySignInAttempts extends CredentialsSignin {
  code = SIGN_IN_THROTTLED_CODE;
}

const providers: NextAuthConfig["providers"] = [
  Credentials({
    credentials: { email: {}, password: {} },
    async authorize(raw, request) {
      const parsed = credentialsSchema.safeParse(raw);
      if (!parsed.success) return null;
      const { email, password } = parsed.data;
      const ip = clientIp(request);
      const attempt = await beginSignInAttempt({ email, ip });
      if (attempt.throttled) throw new TooManySignInAttempts();
      const user = await db().user.findUnique({ where: { email } });
      const succeeded = Boolean(user && (await verifyPassword(user.passwordHash, password)));
      await finishSignInAttempt({ attemptId: attempt.attemptId, email, ip, account: user, succeeded });
      if (!user || !succeeded) return null;
      await recordSignIn(user, "password", ip);
      return { id: user.id, email: user.email, name: user.name };
    },
  }),
];
if (env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET) {
  providers.push(GitHub({ clientId: env.AUTH_GITHUB_ID, clientSecret: env.AUTH_GITHUB_SECRET }));
}

export const githubEnabled = Boolean(env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET);

/** A GitHub sign-in maps to the user with that GitHub id, else that email, else a new user. */
async function userForGitHub(githubId: string, email: string, name: string | null) {
  const byGithub = await db().user.findUnique({ where: { githubId } });
  if (byGithub) return byGithub;
  const byEmail = await db().user.findUnique({ where: { email } });
  if (byEmail) return db().user.update({ where: { id: byEmail.id }, data: { githubId } });
  return db().user.create({ data: { id: newId("usr"), email, name, githubId } });
}

/**
 * A refused sign-in (wrong password, throttled) is an everyday event: one line, no stack trace.
 * Anything else is logged as Auth.js's own logger would (name, message, then cause or stack).
 */
export function logAuthError(error: Error) {
  if (error instanceof CredentialsSignin) {
    console.warn(`[auth] sign-in refused (${error.code})`);
    return;
  }
  const name = error instanceof AuthError ? error.type : error.name;
  console.error(`[auth][error] ${name}: ${error.message}`);
  const cause = error.cause as { err?: unknown } | undefined;
  if (cause?.err instanceof Error) console.error("[auth][cause]:", cause.err.stack);
  else if (error.stack) console.error(error.stack.replace(/.*/, "").substring(1));
}

export const { handlers, auth, signIn, signOut } = NextAuth((req) => ({
  secret: authSecret(),
  trustHost: true,
  session: { strategy: "jwt", maxAge: CONSOLE_SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/signin" },
  providers,
  logger: { error: logAuthError },
  events: {
    async signOut(message) {
      if ("token" in message) await endConsoleSession(message.token?.sid);
    },
  },
  callbacks: {
    async jwt({ token, user, account, profile }) {
      const signingIn = { userAgent: req?.headers.get("user-agent") ?? null, ip: req ? clientIp(req) : null };
      if (account?.provider === "github" && profile) {
        const email = String(profile.email ?? "").toLowerCase();
        if (!email) throw new Error("GitHub did not share an email address");
        const dbUser = await userForGitHub(String(profile.id), email, (profile.name as string | undefined) ?? null);
        token.sub = dbUser.id;
        token.email = dbUser.email;
        token.sid = await startConsoleSession({ userId: dbUser.id, ...signingIn });
        await recordSignIn({ id: dbUser.id, email: dbUser.email }, "github", null);
      } else if (user?.id && user.email) {
        token.sub = user.id;
        token.email = user.email;
        token.sid = await startConsoleSession({ userId: user.id, ...signingIn });
      } else if (!token.sub || !(await isConsoleSessionLive(token.sid, token.sub))) {
        return null; // signed out or revoked elsewhere: Auth.js clears the cookie
      }
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
}));
