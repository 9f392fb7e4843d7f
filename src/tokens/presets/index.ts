import type { PresetName } from '../../protocol/presets.js';
import { auth0 } from './auth0.js';
import { cognito } from './cognito.js';
import { entra } from './entra.js';
import { google } from './google.js';
import { keycloak } from './keycloak.js';
import { okta } from './okta.js';
import type { TokenPreset } from './preset.js';

export type { PresetContext, TokenPreset } from './preset.js';

/** Every preset by name (one file each). */
export const PRESETS: Readonly<Record<PresetName, TokenPreset>> = Object.freeze({ entra, auth0, cognito, keycloak, okta, google });

export function presetNamed(name: PresetName | undefined): TokenPreset | undefined {
  return name === undefined ? undefined : PRESETS[name];
}
