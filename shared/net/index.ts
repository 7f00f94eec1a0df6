export { isLoopbackAddress, isLoopbackHost } from './loopback.js';
