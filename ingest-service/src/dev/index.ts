export { generateSendgridKeyPair, sendgridSignedHeaders, signSendgrid, type SendgridKeyPair } from './sendgrid-signing.js';
export { eventsSignedHeaders, signEvents } from './events-signing.js';
