// The Cloud Run and Logging clients of one gate run, built once and shared by its checks so the
// access token (possibly from application default credentials) is resolved at most once, and
// only when the first check calls an API.

import type { HttpClient } from "../http";
import type { Redactor } from "../redact";
import { GcpClient } from "./client";
import { CloudRunApi } from "./cloudrun";
import { accessTokenSource, type AdcLoader } from "./credentials";
import { LoggingApi } from "./logging";

export interface CloudApiSettings {
    project: string;
    region: string;
    cloudRunApiUrl: string;
    cloudLoggingApiUrl: string;
    /** Explicit OAuth access token (CLOUDSDK_AUTH_ACCESS_TOKEN); ADC when absent. */
    accessToken?: string;
    /** Gets a token obtained from ADC (register it with the run's redactor). */
    onAccessToken?: (token: string) => void;
    /** The run's redactor: API errors quote answers, redacted before they are cut. */
    redactor?: Redactor;
}

export interface CloudApis {
    cloudRun: CloudRunApi;
    logging: LoggingApi;
}

export function createCloudApis(settings: CloudApiSettings, http: HttpClient, loadAdc?: AdcLoader): CloudApis {
    const client = new GcpClient({ http, tokens: accessTokenSource(settings.accessToken, { load: loadAdc, onToken: settings.onAccessToken }), redactor: settings.redactor });
    return {
        cloudRun: new CloudRunApi(client, settings.cloudRunApiUrl, { project: settings.project, region: settings.region }),
        logging: new LoggingApi(client, settings.cloudLoggingApiUrl),
    };
}
