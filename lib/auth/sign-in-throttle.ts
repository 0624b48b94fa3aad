// Throttles email-and-password sign-in per account and per client address, with a sliding window
// kept in Postgres (sign_in_attempts), so it holds across web processes and restarts.
//
// Each attempt is written as "pending" BEFORE its password is checked and counts like a failure
// until it ends, and attempts on one account or from one address decide one at a time (an advisory
// lock): of attempts that arrive at the same moment, exactly the limit get to a password check (an
// unlocked check-then-write would let a burst of 60 all through). A pending attempt whose process
// died counts as a failure until it leaves the window. Refused attempts are kept (outcome
// "refused") but do not count, so the lock ends one window after the last checked failure.
// When failures reach a limit, `auth.sign_in_throttled` is audited on every tenant of the account
// tried (audit rows belong to a tenant; the people who run those tenants are the ones who must
// know); an unknown email has no tenant, so that lock is only logged.
import { recordAuditEvent } from "../audit";
import { db } from "../db/client";
import type { TenantTx } from "../db/tenant-scope";
import { env } from "../env";
import { newId } from "../ids";

export type SignInLimits = { perAccount: number; perAddress: number; windowMs: number };
export type ThrottleScope = "account" | "address";

export function signInLimits(): SignInLimits {
  return {
    perAccount: env.SIGN_IN_MAX_FAILURES_PER_ACCOUNT,
    perAddress: env.SIGN_IN_MAX_FAILURES_PER_ADDRESS,
    windowMs: env.SIGN_IN_THROTTLE_WINDOW_SECONDS * 1000,
  };
}

type Tx = Parameters<Parameters<ReturnType<typeof db>["$transaction"]>[0]>[0];

/** Advisory lock spaces (two-int keys), so an account's key never meets an address's. */
const ACCOUNT_LOCKS = 51_101;
const ADDRESS_LOCKS = 51_102;

/** Serializes the attempts of one account and of one address (always taken in this order). */
async function lockAccountAndAddress(tx: Tx, email: string, ip: string | null) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ACCOUNT_LOCKS}::int, hashtext(${email}))`;
  if (ip) await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADDRESS_LOCKS}::int, hashtext(${ip}))`;
}

const countInWindow = (tx: Tx, where: { email: string } | { ip: string }, outcomes: string[], limits: SignInLimits) =>
  tx.signInAttempt.count({ where: { ...where, outcome: { in: outcomes }, createdAt: { gt: new Date(Date.now() - limits.windowMs) } } });

/**
 * Writes the attempt and decides whether it may go on to a password check: `{ attemptId }`, or
 * `{ throttled }` naming the limit that is reached. `ip` null (unknown) skips the address limit.
 */
export async function beginSignInAttempt(
  { email, ip }: { email: string; ip: string | null },
  limits = signInLimits(),
): Promise<{ attemptId: string; throttled?: undefined } | { throttled: ThrottleScope; attemptId?: undefined }> {
  return db().$transaction(async (tx) => {
    await lockAccountAndAddress(tx, email, ip);
    // Attempts still being checked count as failures, so a burst cannot slip past the limit.
    const counted = ["pending", "failed"];
    let throttled: ThrottleScope | null = null;
    if ((await countInWindow(tx, { email }, counted, limits)) >= limits.perAccount) throttled = "account";
    else if (ip && (await countInWindow(tx, { ip }, counted, limits)) >= limits.perAddress) throttled = "address";
    const attemptId = newId("sia");
    await tx.signInAttempt.create({ data: { id: attemptId, email, ip, outcome: throttled ? "refused" : "pending" } });
    return throttled ? { throttled } : { attemptId };
  });
}

type Account = { id: string; email: string } | null;

/** Records how a checked attempt ended; the failure that reaches a limit audits the lock. */
export async function finishSignInAttempt(
  { attemptId, email, ip, account, succeeded }: { attemptId: string; email: string; ip: string | null; account: Account; succeeded: boolean },
  limits = signInLimits(),
): Promise<void> {
  if (succeeded) {
    await db().signInAttempt.update({ where: { id: attemptId }, data: { outcome: "succeeded" } });
    return;
  }
  // Serialized like beginSignInAttempt, so exactly one failure sees the count reach each limit and
  // the lock is audited once.
  const reached = await db().$transaction(async (tx) => {
    await lockAccountAndAddress(tx, email, ip);
    await tx.signInAttempt.update({ where: { id: attemptId }, data: { outcome: "failed" } });
    const scopes: { scope: ThrottleScope; failures: number }[] = [];
    const byAccount = await countInWindow(tx, { email }, ["failed"], limits);
    if (byAccount === limits.perAccount) scopes.push({ scope: "account", failures: byAccount });
    const byAddress = ip ? await countInWindow(tx, { ip }, ["failed"], limits) : 0;
    if (ip && byAddress === limits.perAddress) scopes.push({ scope: "address", failures: byAddress });
    return scopes;
  });
  for (const { scope, failures } of reached) await auditLock({ email, ip, account, scope, failures, limits });
}

async function auditLock({ email, ip, account, scope, failures, limits }: { email: string; ip: string | null; account: Account; scope: ThrottleScope; failures: number; limits: SignInLimits }) {
  const windowSeconds = limits.windowMs / 1000;
  console.warn(`[sign-in] throttled by ${scope}: ${failures} failed sign-ins in ${windowSeconds}s (email ${email}, address ${ip ?? "unknown"})`);
  if (!account) return;
  const memberships = await db().membership.findMany({ where: { userId: account.id }, select: { tenantId: true } });
  for (const { tenantId } of memberships) {
    // Audit rows of the account's tenants, written across tenants as recordSignIn does.
    await recordAuditEvent(
      { tenantId, actor: { type: "system", id: null, label: "sign-in throttle" }, ip, db: db() as unknown as TenantTx },
      { action: "auth.sign_in_throttled", targetType: "user", targetId: account.id, metadata: { scope, failures, windowSeconds, email } },
    );
  }
}

/**
 * Maintenance across all tenants (system actor): drop attempts older than a day (or the window
 * when longer). Attempts belong to no tenant, so a test's scope is the emails it tried; the
 * scheduler passes none, which means all.
 */
export async function pruneSignInAttempts({ limits = signInLimits(), emails }: { limits?: SignInLimits; emails?: string[] } = {}): Promise<{ pruned: number }> {
  const keepMs = Math.max(limits.windowMs, 86_400_000);
  const { count } = await db().signInAttempt.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - keepMs) }, ...(emails ? { email: { in: emails } } : {}) } });
  return { pruned: count };
}
