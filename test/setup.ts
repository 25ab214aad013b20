// Loaded by mocha before any spec (see .mocharc.json).
import '../workflows/node-version.js';
