// The HTTP API's paths, shared by the server's router and any client that
// calls them without ConvexHttpClient (the CLI's clock control, curl docs).
export const HTTP_ROUTES = {
  query: "/api/query",
  mutation: "/api/mutation",
  action: "/api/action",
  queryTs: "/api/query_ts",
  queryAtTs: "/api/query_at_ts",
  version: "/version",
  clock: "/api/csn-rt/clock",
  clockAdvance: "/api/csn-rt/clock/advance",
  health: "/api/csn-rt/health",
} as const;
