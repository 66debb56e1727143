// The Convex HTTP API (query / mutation / action over POST) plus csn-rt's
// admin clock and health endpoints: request and response shapes, validation, the
// Authorization header and Convex's clean value export.
export type * from "./messages.ts";
export { decodeUdfRequest, decodeUdfAtTsRequest, decodeClockAdvance, singleArgsObject } from "./decodeRequests.ts";
export { exportClean } from "./cleanExport.ts";
export {
  parseAuthorizationHeader,
  formatAuthorizationHeader,
  decodeActingAs,
  type AuthorizationHeader,
} from "./authorization.ts";
export { HTTP_ROUTES } from "./routes.ts";
export { BackendHealthResponseSchema, BackendHealthSampleSchema, type BackendHealthResponse, type BackendHealthSample } from "./health.ts";
