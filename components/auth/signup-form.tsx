"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { apiFetch, ApiError, formLevelError } from "../api-client";
import type { SignedUp } from "../api-types";
import { Button } from "../ui/button";
import { TextField } from "../ui/field";
import { InlineError } from "../ui/states";
import { withCallback } from "./signin-form";
import { TenantFields, useTenantNameSlug } from "./tenant-fields";


export function SignUpForm({ callbackUrl }: { callbackUrl: string | null }) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const tenant = useTenantNameSlug();
  const [signInFailed, setSignInFailed] = useState(false);
  const [passwordBlurred, setPasswordBlurred] = useState(false);

  const signUp = useMutation({
    mutationFn: () =>
      apiFetch<SignedUp>("/api/auth/signup", {
        method: "POST",
        body: { email, password, ...(name.trim() ? { name: name.trim() } : {}), tenantName: tenant.name, tenantSlug: tenant.slug },
      }),
    onSuccess: async (answer) => {
      const result = await signIn("credentials", { email, password, redirect: false });
      if (!result || result.error) {
        setSignInFailed(true);
        return;
      }
      router.push(callbackUrl ?? `/t/${answer.tenant.slug}`);
      router.refresh();
    },
  });

  const err = signUp.error instanceof ApiError ? signUp.error : null;
  const fieldError = (field: string) => err?.fieldError(field);
  const passwordTooShort = password.length > 0 && password.length < 10;
  // The API names a taken slug "body.slug" here too, so both names map to the slug field.
  const slugError = fieldError("tenantSlug") ?? fieldError("slug");
  // Field errors are shown next to their field; anything else (e.g. a network error) above the button.
  const generalError = formLevelError(signUp.error, ["email", "password", "name", "tenantName", "tenantSlug", "slug"]);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!passwordTooShort) signUp.mutate();
  }

  const busy = signUp.isPending || (signUp.isSuccess && !signInFailed);
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField id="email" label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)}
        error={fieldError("email") === "taken" ? "An account with this email exists; sign in instead." : fieldError("email")} />
      <TextField id="password" label="Password" type="password" autoComplete="new-password" required minLength={10} value={password}
        onChange={(e) => setPassword(e.target.value)} onBlur={() => setPasswordBlurred(true)} hint="At least 10 characters."
        error={passwordTooShort && passwordBlurred ? "At least 10 characters." : fieldError("password")} />
      <TextField id="name" label="Your name (optional)" autoComplete="name" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} error={fieldError("name")} />
      <div className="border-t border-zinc-200 pt-4">
        <p className="mb-3 text-sm text-zinc-600">
          {callbackUrl?.startsWith("/invite/")
            ? "You also get a tenant of your own; you can join the one you were invited to right after."
            : "Your first tenant: everything in Burrow (keys, sessions, members) belongs to a tenant."}
        </p>
        <div className="space-y-4">
          <TenantFields state={tenant} errors={{ name: fieldError("tenantName"), slug: slugError === "taken" ? "This slug is taken; pick another." : slugError }} />
        </div>
      </div>
      <InlineError error={generalError} />
      {signInFailed && (
        <InlineError error="Your account was created, but signing in failed. Sign in with your email and password." />
      )}
      <Button type="submit" className="w-full" pending={busy} disabled={!email || !password || !tenant.name || !tenant.slug || passwordTooShort}>
        {busy ? "Creating account…" : "Create account"}
      </Button>
      <p className="text-center text-sm text-zinc-600">
        Already have an account?{" "}
        <Link className="font-medium text-indigo-600 hover:underline" href={withCallback("/signin", callbackUrl ?? "/")}>Sign in</Link>
      </p>
    </form>
  );
}
