/** The parts of a Stripe event that appliers need: its id, type and Stripe's creation time. */
export type StripeEventInfo = { id: string; type: string; at: Date };

/** applied: the event changed our state; ignored: stale (a newer event already applied) or irrelevant. */
export type EventOutcome = "applied" | "ignored";
