export * from './envelope.js';
export * from './error-codes.js';
export * from './health.js';
export * from './auth.js';
export * from './system.js';
export * from './devices.js';
export * from './pairing.js';
export * from './users.js';
