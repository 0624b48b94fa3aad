// The network concern's import surface for the API (the runner uses its modules directly).
export { listNetworkEvents } from "./list-network-events";
export { networkEventPageSchema, networkEventsQuerySchema, type NetworkEventsQuery } from "./schemas";
