// Loaded by mocha before any test (see .mocharc.json).
// google-auth-library probes the GCE metadata server (off loopback) when it looks for
// ambient credentials, and a developer's own credentials would let an in-process run mint real
// tokens and call Google: tests must never send that traffic. So every place it reads
// Application Default Credentials from is emptied for the whole test process.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

process.env.METADATA_SERVER_DETECTION = "none";
// The credential file named by the environment (google-auth-library also reads the lowercase name).
delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
delete process.env.google_application_credentials;
// Explicit tokens the gate would use instead of looking.
delete process.env.CLOUDSDK_AUTH_ACCESS_TOKEN;
// Cloud Run / Cloud Functions markers make it assume it runs on Google Cloud and ask the metadata server.
for (const name of ["K_SERVICE", "CLOUD_RUN_JOB", "FUNCTION_NAME", "GCE_METADATA_HOST", "GCE_METADATA_IP"]) delete process.env[name];
// gcloud's well-known ADC file (application_default_credentials.json) and certificate config live
// in CLOUDSDK_CONFIG, else ~/.config/gcloud: point it at an empty directory.
const gcloudConfig = fs.mkdtempSync(path.join(os.tmpdir(), "test-gcloud-config-"));
process.env.CLOUDSDK_CONFIG = gcloudConfig;
process.once("exit", () => fs.rmSync(gcloudConfig, { recursive: true, force: true }));
