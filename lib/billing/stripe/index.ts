// Stripe: a customer per tenant, Checkout for plan changes, the customer portal, usage pushed as
// Billing meter events, webhooks, and invoices (Stripe's mirrored, or local drafts without Stripe).
export { stripeClientOrNull } from "./client";
export { ensureStripeCustomer } from "./customer";
export { handleStripeWebhook, type WebhookResult } from "./handle-webhook";
export { listInvoices } from "./list-invoices";
export { syncLocalInvoices, syncTenantLocalInvoices } from "./local-invoices";
export { openCustomerPortal } from "./open-customer-portal";
export { pushUsageToStripe, usagePushIdentifier } from "./push-usage";
export * from "./schemas";
export { startCheckout } from "./start-checkout";
