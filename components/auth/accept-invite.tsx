"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { apiFetch } from "../api-client";
import type { AcceptedInvitation } from "../api-types";
import { signOutTo } from "./sign-out";
import { Button } from "../ui/button";
import { InlineError } from "../ui/states";


export function AcceptInvite({ token, email, tenantName }: { token: string; email: string; tenantName: string }) {
  const router = useRouter();
  const accept = useMutation({
    mutationFn: () => apiFetch<AcceptedInvitation>("/invitations/accept", { method: "POST", body: { token } }),
    onSuccess: (answer) => {
      router.push(`/t/${answer.tenant.slug}`);
      router.refresh();
    },
  });
  const busy = accept.isPending || accept.isSuccess;
  return (
    <div className="space-y-4">
      <p className="text-sm text-zinc-600">
        You are signed in as <span className="font-medium text-zinc-900">{email}</span>. Accepting adds this account to {tenantName} with the role above.
      </p>
      {accept.error && <InlineError error={accept.error} />}
      <Button className="w-full" pending={busy} onClick={() => accept.mutate()}>
        {busy ? "Joining…" : "Accept invitation"}
      </Button>
      <p className="text-center text-sm text-zinc-600">
        Not you?{" "}
        <button type="button" className="font-medium text-indigo-600 hover:underline"
          onClick={() => void signOutTo(`/signin?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`)}>
          Sign out and use another account
        </button>
      </p>
    </div>
  );
}
