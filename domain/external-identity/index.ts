export * from './external-identity-reservation.js';
