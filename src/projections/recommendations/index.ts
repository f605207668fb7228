export { recommendationsProjection } from './projection.js';
export * from './queries.js';
