// Loaded by mocha before any spec (see .mocharc.json).
import '../cli/node-version.js';
