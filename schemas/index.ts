// The one public door of schemas/: wire types, topics, schemas, socket event maps and error codes.
// Imports nothing else from the repository; usable in Node and in the browser.
export * from './kinds.js';
export * from './levels.js';
export * from './topics.js';
export * from './payloads.js';
export * from './model.js';
export * from './rest.js';
export * from './socket-events.js';
export * from './errors.js';
export * from './clock.js';
export * from './store-events.js';
export * from './notify-channels.js';
export * from './notify-policy.js';
export * from './org.js';
export * from './write-queue.js';
export * from './prepare.js';
export * from './supervise.js';
export * from './release.js';
export * from './review.js';
export * from './vulnerable-sites.js';
