export * from './app-errors.js';
export * from './oauth-errors.js';
