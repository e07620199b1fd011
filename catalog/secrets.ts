// Which env names look secret: config refuses them in plain env, and the pack's mandatory
// secrets policy refuses them with a literal value. One reading, the stricter of the two.

export const SECRET_NAME_SOURCE = "lanes.md: a literal env value lands in the revision spec, readable by anyone with run.services.get";

/** *_KEY, *_TOKEN, *_SECRET (or the bare word), anything with PASSWORD, DB_URL, DATABASE_URL (case-insensitive). */
export function looksSecret(name: string): boolean {
    const n = name.trim().toUpperCase();
    return /(^|_)(KEY|TOKEN|SECRET)$/.test(n) || n.includes("PASSWORD") || n === "DB_URL" || n === "DATABASE_URL";
}
