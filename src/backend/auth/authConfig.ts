// The shape of `convex/auth.config.ts` and its validation. Field names and
// meanings follow `AuthProvider` in convex/src/server/authentication.ts; the
// issuer normalisation follows the Convex backend (an issuer without a scheme
// gets "https://", and trailing slashes never matter when comparing).

/** An OpenID Connect provider: keys come from `${domain}/.well-known/openid-configuration`. */
export type OidcProviderConfig = {
  /** The provider's issuer URL; tokens must carry it as `iss`. */
  readonly domain: string;
  /** Tokens must carry it in `aud`. */
  readonly applicationID: string;
};

/** A provider that issues plain JWTs and publishes (or inlines) its JWKS. */
export type CustomJwtProviderConfig = {
  readonly type: "customJwt";
  /** Tokens must carry it as `iss`. */
  readonly issuer: string;
  /** An http(s) URL serving the JWKS, or a `data:` URI holding it. */
  readonly jwks: string;
  readonly algorithm: "RS256" | "ES256";
  /** When present, tokens must carry it in `aud`; when absent, `aud` is not checked. */
  readonly applicationID?: string;
};

export type AuthProviderConfig = OidcProviderConfig | CustomJwtProviderConfig;

export type AuthConfig = { readonly providers: readonly AuthProviderConfig[] };

/** A config that cannot be used; `problems` lists every one found, each a sentence. */
export class AuthConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} is not a valid auth config: ${problems.join("; ")}`);
    this.name = "AuthConfigError";
  }
}

const SUPPORTED_CUSTOM_JWT_ALGORITHMS = ["RS256", "ES256"] as const;

/**
 * Checks a value that should be an auth config (what `auth.config.ts`
 * default-exports) and returns its providers. Throws AuthConfigError naming
 * every problem at once.
 */
export function parseAuthConfig(value: unknown, source: string): AuthProviderConfig[] {
  if (!isRecord(value)) {
    throw new AuthConfigError(source, [`expected an object with a "providers" array, got ${describe(value)}`]);
  }
  if (!Array.isArray(value.providers)) {
    throw new AuthConfigError(source, [`"providers" must be an array, got ${describe(value.providers)}`]);
  }
  const problems: string[] = [];
  const providers: AuthProviderConfig[] = [];
  value.providers.forEach((raw: unknown, index: number) => {
    const provider = parseProvider(raw, `providers[${index}]`, problems);
    if (provider !== null) providers.push(provider);
  });
  if (problems.length > 0) throw new AuthConfigError(source, problems);
  return providers;
}

function parseProvider(raw: unknown, at: string, problems: string[]): AuthProviderConfig | null {
  if (!isRecord(raw)) {
    problems.push(`${at} must be an object, got ${describe(raw)}`);
    return null;
  }
  const before = problems.length;
  if (raw.type === "customJwt") {
    const issuer = requireString(raw, "issuer", at, problems);
    const jwks = requireString(raw, "jwks", at, problems);
    const algorithm = raw.algorithm;
    if (!SUPPORTED_CUSTOM_JWT_ALGORITHMS.includes(algorithm as never)) {
      problems.push(`${at}.algorithm must be "RS256" or "ES256", got ${describe(algorithm)}`);
    }
    const applicationID = raw.applicationID;
    if (applicationID !== undefined && (typeof applicationID !== "string" || applicationID === "")) {
      problems.push(`${at}.applicationID must be a non-empty string when present, got ${describe(applicationID)}`);
    }
    if (issuer !== null) checkIssuerUrl(issuer, `${at}.issuer`, problems);
    if (jwks !== null && !/^(https?:\/\/|data:)/i.test(jwks)) {
      problems.push(`${at}.jwks must be an http(s) URL or a data: URI, got ${JSON.stringify(jwks)}`);
    }
    if (problems.length > before) return null;
    return {
      type: "customJwt",
      issuer: issuer!,
      jwks: jwks!,
      algorithm: algorithm as CustomJwtProviderConfig["algorithm"],
      ...(applicationID === undefined ? {} : { applicationID: applicationID as string }),
    };
  }
  if (raw.type !== undefined) {
    problems.push(`${at}.type must be "customJwt" or absent (an OIDC provider), got ${describe(raw.type)}`);
    return null;
  }
  const domain = requireString(raw, "domain", at, problems);
  const applicationID = requireString(raw, "applicationID", at, problems);
  if (domain !== null) checkIssuerUrl(domain, `${at}.domain`, problems);
  if (problems.length > before) return null;
  return { domain: domain!, applicationID: applicationID! };
}

/**
 * The issuer URL as the backend compares it: a scheme-less value gets
 * "https://" (as Convex does for auth.config.ts values and for `iss` claims).
 */
export function withScheme(issuer: string): string {
  return /^\w+:\/\//.test(issuer) ? issuer : `https://${issuer}`;
}

/** True when two issuers name the same provider: same URL up to trailing slashes. */
export function sameIssuer(configured: string, tokenIssuer: string): boolean {
  return trimSlashes(withScheme(configured)) === trimSlashes(withScheme(tokenIssuer));
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}

function checkIssuerUrl(value: string, at: string, problems: string[]): void {
  let url: URL;
  try {
    url = new URL(withScheme(value));
  } catch {
    problems.push(`${at} is not a URL: ${JSON.stringify(value)}`);
    return;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    problems.push(`${at} must use http or https, got ${JSON.stringify(value)}`);
  }
}

function requireString(
  raw: Record<string, unknown>,
  field: string,
  at: string,
  problems: string[],
): string | null {
  const value = raw[field];
  if (typeof value === "string" && value.trim() !== "") return value;
  // An undefined field is usually an unset environment variable read by auth.config.ts.
  const hint = value === undefined ? " (is the environment variable it reads set?)" : "";
  problems.push(`${at}.${field} must be a non-empty string, got ${describe(value)}${hint}`);
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
