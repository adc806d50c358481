import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { REPO_ROOT } from "../../__tests__/support/config";
import type { FakeRelease } from "./world";

/**
 * The shape of Dify's `docker/` folder for the fake GitHub: every service of the 1.16.1 compose
 * project with its image and profiles (read from langgenius/dify's docker-compose.yaml of 1.16.0
 * with the tags of 1.16.1 and its added agent_ssrf_proxy, cross-checked against two published
 * image lists of 1.16.1 deployments), and a `.env.example` with every key of the release
 * (config/dify-keys) and the defaults that pick the compose profiles. Dify's own files stay out of
 * this repository; these are the facts the host depends on.
 */
const SERVICES: readonly (readonly [name: string, image: string, profiles?: readonly string[]])[] = [
  ["init_permissions", "busybox:latest"],
  ["api", "langgenius/dify-api:VERSION"],
  ["api_websocket", "langgenius/dify-api:VERSION", ["collaboration"]],
  ["worker", "langgenius/dify-api:VERSION"],
  ["worker_beat", "langgenius/dify-api:VERSION"],
  ["web", "langgenius/dify-web:VERSION"],
  ["db_postgres", "postgres:15-alpine", ["postgresql"]],
  ["db_mysql", "mysql:8.0", ["mysql"]],
  ["redis", "redis:6-alpine"],
  ["sandbox", "langgenius/dify-sandbox:0.2.15"],
  ["local_sandbox", "langgenius/dify-agent-local-sandbox:VERSION"],
  ["plugin_daemon", "langgenius/dify-plugin-daemon:0.6.3-local"],
  ["agent_backend", "langgenius/dify-agent-backend:VERSION"],
  ["agent_ssrf_proxy", "ubuntu/squid:latest"],
  ["ssrf_proxy", "ubuntu/squid:latest"],
  ["certbot", "certbot/certbot", ["certbot"]],
  ["nginx", "nginx:latest"],
  ["weaviate", "semitechnologies/weaviate:1.27.0", ["weaviate"]],
  ["pgvector", "pgvector/pgvector:pg16", ["pgvector"]],
  ["qdrant", "langgenius/qdrant:v1.8.3", ["qdrant"]],
];

/** Distinct images the default profiles (weaviate, postgresql, collaboration) start in 1.16.1. */
export const DEFAULT_PROFILE_IMAGE_COUNT = 12;

const ENV_DEFAULTS: Readonly<Record<string, string>> = {
  VECTOR_STORE: "weaviate",
  DB_TYPE: "postgresql",
  ENABLE_COLLABORATION_MODE: "true",
  COMPOSE_PROFILES: "${VECTOR_STORE:-weaviate},${DB_TYPE:-postgresql},collaboration",
};

export function fakeDifyRelease(tag: string): FakeRelease {
  const services = Object.fromEntries(
    SERVICES.map(([name, image, profiles]) => [name, { image: image.replace("VERSION", tag), ...(profiles ? { profiles: [...profiles] } : {}) }]),
  );
  const keys = readFileSync(join(REPO_ROOT, "config", "dify-keys", "1.16.1.txt"), "utf8")
    .split("\n")
    .filter((line) => line && !line.startsWith("#"));
  // COMPOSE_PROFILES last, as in Dify's file: its value refers to the keys before it.
  const ordered = [...keys.filter((key) => key !== "COMPOSE_PROFILES"), "COMPOSE_PROFILES"];
  const envExample = ["# Fake .env.example: every key Dify 1.16.1 reads, empty unless a default picks the profiles", ...ordered.map((key) => `${key}=${ENV_DEFAULTS[key] ?? ""}`)];
  return {
    tag,
    files: {
      "docker/docker-compose.yaml": stringify({ services }),
      "docker/.env.example": `${envExample.join("\n")}\n`,
    },
  };
}
