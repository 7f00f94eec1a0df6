// Browser-test entry: install the HTTP adapter first, then start the unchanged renderer.
import './install-http-api.js';
import '../src/main.js';
