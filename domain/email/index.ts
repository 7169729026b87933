export * from './email-address.js';
export * from './email-reservation.js';
