export * from './decider.js';
export * from './errors.js';
export * from './money.js';
export * from './order.js';
export * from './events.js';
export * from './user.js';
export * from './email-reservation.js';
export * from './inventory.js';
