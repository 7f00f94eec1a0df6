// Loads the TypeScript worker entry when the service runs from source (npm start runs through tsx):
// worker threads do not always inherit the parent's loader, so register tsx here first.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
