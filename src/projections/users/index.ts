export { usersProjection } from './projection.js';
export * from './queries.js';
