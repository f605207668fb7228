export { productsProjection } from './projection.js';
export * from './queries.js';
