// auth/: who a caller is. The server imports from here only.
export { createAuthenticator, CLOCK_TOLERANCE_SECONDS, type AuthenticatorOptions } from "./createAuthenticator.ts";
export { loadAuthConfig } from "./loadAuthConfig.ts";
export {
  parseAuthConfig,
  AuthConfigError,
  type AuthConfig,
  type AuthProviderConfig,
  type CustomJwtProviderConfig,
  type OidcProviderConfig,
} from "./authConfig.ts";
export { generateAdminKey, isAdminKey, ADMIN_KEY_DEPLOYMENT_NAME } from "./adminKey.ts";
export { actingIdentityFrom } from "./actingIdentity.ts";
export { identityFromClaims, type ClaimStyle } from "./identityFromClaims.ts";
