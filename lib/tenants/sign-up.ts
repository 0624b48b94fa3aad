import { AppError, isUniqueViolation } from "../api/errors";
import { hashPassword } from "../auth/passwords";
import { db } from "../db/client";
import { newId } from "../ids";
import { createTenantForUser, slugTakenOr } from "./create-tenant";
import { type SignUpInput, toTenant } from "./schemas";

/** A new person: their user, their first tenant, and owner membership, all or nothing. */
export async function signUp({ input, ip }: { input: SignUpInput; ip: string | null }) {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db().$transaction(async (tx) => {
      const taken = await tx.tenant.findUnique({ where: { slug: input.tenantSlug }, select: { id: true } });
      if (taken) throw slugTakenOr({ code: "P2002" }, input.tenantSlug, "body.tenantSlug");
      if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) throw emailTaken();
      const user = await tx.user.create({
        data: { id: newId("usr"), email: input.email, name: input.name ?? null, passwordHash },
      });
      const tenant = await createTenantForUser(tx, { userId: user.id, email: user.email, ip }, {
        name: input.tenantName,
        slug: input.tenantSlug,
      });
      return { user: { id: user.id, email: user.email }, tenant: toTenant(tenant) };
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (isUniqueViolation(err)) {
      const target = JSON.stringify((err as { meta?: unknown }).meta ?? err);
      if (target.includes("email")) {
        throw emailTaken();
      }
      throw slugTakenOr(err, input.tenantSlug, "body.tenantSlug");
    }
    throw err;
  }
}

function emailTaken() {
  return new AppError("conflict", "An account with this email exists; sign in instead", {
    details: { fields: [{ path: "body.email", message: "taken" }] },
  });
}
