// Reads the console's signed-in session (the Auth.js JWT cookie) from a plain Request, so API
// routes accept the cookie without going through Next.js request APIs. A cookie counts only while
// its console session is live (signed out or revoked: refused, see console-sessions.ts).
import { getToken } from "next-auth/jwt";
import { authSecret } from "./auth-secret";
import { isConsoleSessionLive } from "./console-sessions";

const COOKIE_NAMES = ["__Secure-authjs.session-token", "authjs.session-token"];

export async function readSessionUser(req: Request): Promise<{ userId: string; email: string; consoleSessionId: string } | null> {
  const cookie = req.headers.get("cookie");
  if (!cookie) return null;
  for (const cookieName of COOKIE_NAMES) {
    if (!cookie.includes(cookieName)) continue;
    const token = await getToken({
      req: { headers: { cookie } },
      secret: authSecret(),
      cookieName,
      salt: cookieName,
      secureCookie: cookieName.startsWith("__Secure-"),
    });
    if (token?.sub && typeof token.email === "string" && (await isConsoleSessionLive(token.sid, token.sub))) {
      return { userId: token.sub, email: token.email, consoleSessionId: token.sid as string };
    }
  }
  return null;
}
