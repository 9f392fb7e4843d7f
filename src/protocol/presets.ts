/** Token presets: access and ID tokens shaped like a production IdP's (src/tokens/presets/). */
export const PRESET_NAMES = ['entra', 'auth0', 'cognito', 'keycloak', 'okta', 'google'] as const;

export type PresetName = (typeof PRESET_NAMES)[number];
