#!/usr/bin/env bash
# Waits, after an `up`, until the control service's custom domain serves HTTPS: its Cloud Run
# DomainMapping reports Ready. The provider returns from the first `up` of a mapping while the
# managed certificate is still pending (it can take tens of minutes), and the gate would then
# call https://<domain> before the certificate exists. Once the mapping is Ready (every deploy
# after the first) this is one describe call.
#
# usage: wait-for-domain-certificate.sh OUTPUTS_JSON STACK
#   OUTPUTS_JSON: `pulumi stack output --json` of STACK (controlBaseUrl, controlServiceUrl,
#   project, region). No custom domain (controlBaseUrl is the run.app URL): nothing to wait for.
# env: MAX_WAIT seconds (default 2700), POLL_INTERVAL seconds (default 30); gcloud authenticated.
set -euo pipefail

outputs="$1"
stack="$2"
max_wait="${MAX_WAIT:-2700}"
interval="${POLL_INTERVAL:-30}"

base_url="$(jq -er .controlBaseUrl "$outputs")"
service_url="$(jq -er .controlServiceUrl "$outputs")"
project="$(jq -er .project "$outputs")"
region="$(jq -er .region "$outputs")"

if [ "$base_url" = "$service_url" ]; then
    echo "no custom domain for the $stack control service; nothing to wait for"
    exit 0
fi
domain="${base_url#https://}"
domain="${domain%%/*}"

# By hand, when the certificate is late: the gate on the run.app URL, then this job again later.
by_hand="npm run validate -- --outputs $stack=$outputs --environment $stack --$stack-control-url $service_url"

deadline=$((SECONDS + max_wait))
while :; do
    mapping="$(gcloud beta run domain-mappings describe --domain "$domain" --region "$region" --project "$project" --format json)"
    ready="$(jq -r '[.status.conditions[]? | select(.type == "Ready")][0] // {} | "\(.status // "Unknown")\t\(.reason // "")\t\(.message // "")"' <<< "$mapping")"
    IFS=$'\t' read -r status reason message <<< "$ready"
    case "$status" in
        True)
            echo "$domain is Ready (managed certificate provisioned)"
            exit 0
            ;;
        False)
            # A terminal state (the domain is not verified for the deployer, a route is missing...).
            echo "::error::the DomainMapping $domain is not Ready: ${reason:-no reason} ${message}"
            exit 1
            ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
        echo "::error::$domain is still not Ready after ${max_wait}s (${reason:-Unknown}: ${message}). The deploy itself succeeded; check DNS for $domain, then rerun this job, or gate the run.app URL by hand: $by_hand"
        exit 1
    fi
    echo "$domain not Ready yet (${reason:-Unknown}${message:+: $message}); checking again in ${interval}s"
    sleep "$interval"
done
