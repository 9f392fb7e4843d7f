/** The OpenID scopes every client may request for a user (OIDC Core 5.4, 11: openid, the claim scopes, offline_access). */
export const STANDARD_SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'] as const;
