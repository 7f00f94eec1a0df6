import { createHttpApi } from './http-api.js';

// Runs before the app's modules: the renderer then finds window.sealpost exactly as under Electron.
const token = document.querySelector('meta[name="sealpost-bridge-token"]')?.getAttribute('content') ?? '';
(globalThis as { sealpost?: unknown }).sealpost = createHttpApi(token);
