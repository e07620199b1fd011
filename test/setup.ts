// Loaded by mocha before any test (see .mocharc.json).
// google-auth-library probes the GCE metadata server (off loopback) when it looks for
// ambient credentials; tests must never send that traffic.
process.env.METADATA_SERVER_DETECTION = "none";
